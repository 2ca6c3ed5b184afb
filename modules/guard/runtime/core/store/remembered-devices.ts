import type { SqlExecutor } from './db/database'

export interface RememberedDevice { id: string; userId: string; factor: string; createdAt: Date; expiresAt: Date; userAgent: string | null }

const toDevice = (row: any): RememberedDevice => ({
  id: row.id, userId: row.user_id, factor: row.factor, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at), userAgent: row.user_agent,
})

/**
 * Records a device the user asked to remember; only its token's hash is kept.
 *
 * @example
 * await insertRememberedDevice(db, { id: newId('dev'), userId, factor: 'totp', tokenHash: sha256(token), now, expiresAt })
 */
export async function insertRememberedDevice(db: SqlExecutor, input: { id: string; userId: string; factor: string; tokenHash: string; now: Date; expiresAt: Date; userAgent?: string }): Promise<void> {
  await db.query(
    'insert into guard_remembered_devices (id, user_id, factor, token_hash, created_at, expires_at, user_agent) values ($1, $2, $3, $4, $5, $6, $7)',
    [input.id, input.userId, input.factor, input.tokenHash, input.now.toISOString(), input.expiresAt.toISOString(), input.userAgent?.slice(0, 512) ?? null],
  )
}

/**
 * The live device record for a token hash and user, if any.
 *
 * @example
 * const device = await findRememberedDevice(db, userId, sha256(cookie), new Date())
 */
export async function findRememberedDevice(db: SqlExecutor, userId: string, tokenHash: string, now: Date): Promise<RememberedDevice | undefined> {
  const [row] = await db.query(
    'select id, user_id, factor, created_at, expires_at, user_agent from guard_remembered_devices where user_id = $1 and token_hash = $2 and revoked_at is null and expires_at > $3',
    [userId, tokenHash, now.toISOString()],
  )
  return row && toDevice(row)
}

/**
 * A user's live remembered devices, newest first.
 *
 * @example
 * const devices = await listRememberedDevices(db, userId, new Date())
 */
export async function listRememberedDevices(db: SqlExecutor, userId: string, now: Date): Promise<RememberedDevice[]> {
  const rows = await db.query(
    'select id, user_id, factor, created_at, expires_at, user_agent from guard_remembered_devices where user_id = $1 and revoked_at is null and expires_at > $2 order by created_at desc',
    [userId, now.toISOString()],
  )
  return rows.map(toDevice)
}

/**
 * Revokes one remembered device (or all of a user's when `id` is omitted); returns how many.
 *
 * @example
 * await revokeRememberedDevices(db, userId, deviceId, new Date())
 */
export async function revokeRememberedDevices(db: SqlExecutor, userId: string, id: string | undefined, now: Date): Promise<number> {
  const rows = await db.query(
    'update guard_remembered_devices set revoked_at = $3 where user_id = $1 and ($2::text is null or id = $2) and revoked_at is null returning id',
    [userId, id ?? null, now.toISOString()],
  )
  return rows.length
}

/**
 * Deletes every remembered device of a user: they stop counting whenever
 * the user's factors change.
 *
 * @example
 * await deleteRememberedDevices(tx, userId)
 */
export async function deleteRememberedDevices(db: SqlExecutor, userId: string): Promise<void> {
  await db.query('delete from guard_remembered_devices where user_id = $1', [userId])
}

/**
 * Deletes expired or revoked remembered devices; returns how many went.
 *
 * @example
 * await pruneRememberedDevices(db, new Date())
 */
export async function pruneRememberedDevices(db: SqlExecutor, now: Date): Promise<number> {
  return (await db.query('delete from guard_remembered_devices where expires_at <= $1 or revoked_at is not null returning 1', [now.toISOString()])).length
}

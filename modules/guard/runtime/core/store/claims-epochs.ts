import type { SqlExecutor } from './db/database'

/**
 * Marks that what a user's session tokens render from changed outside the
 * `guard_users` row (e.g. an admin reset their factors): bumps the user's
 * claims epoch and resolves to the new one, `undefined` when there is no
 * such user. Changes to the row itself (roles, metadata) bump it in the
 * same statement (see admin-users.ts).
 *
 * @example
 * await deleteAllFactors(db, userId)
 * const epoch = await bumpClaimsEpoch(db, userId)
 */
export async function bumpClaimsEpoch(db: SqlExecutor, userId: string): Promise<number | undefined> {
  const [row] = await db.query<{ claims_epoch: number }>(
    'update guard_users set claims_epoch = claims_epoch + 1, claims_changed_at = now() where id = $1 returning claims_epoch',
    [userId],
  )
  return row && Number(row.claims_epoch)
}

/**
 * The users whose claims epoch changed within the last `windowMs` (by the
 * database's clock, which also stamped the change), with their epoch: what an
 * instance that missed the notifications (start-up, a LISTEN reconnect) must
 * know, for every token that could still be live.
 *
 * @example
 * for (const { userId, epoch } of await claimsEpochsChangedWithin(db, 3_660_000)) epochs.noteUser(userId, epoch)
 */
export async function claimsEpochsChangedWithin(db: SqlExecutor, windowMs: number): Promise<{ userId: string; epoch: number }[]> {
  const rows = await db.query<{ id: string; claims_epoch: number }>(
    `select id, claims_epoch from guard_users where claims_changed_at > now() - make_interval(secs => $1)`,
    [windowMs / 1000],
  )
  return rows.map(row => ({ userId: row.id, epoch: Number(row.claims_epoch) }))
}

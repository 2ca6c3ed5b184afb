import type { SqlExecutor } from './db/database'

export interface EmailCodeRecord { id: string; codeHash: string; expiresAt: Date; attempts: number }

/**
 * Stores a new email code for a purpose; earlier unused codes of that user
 * and purpose stop working.
 *
 * @example
 * await insertEmailCode(db, { id, userId, purpose: 'challenge', codeHash, expiresAt })
 */
export async function insertEmailCode(db: SqlExecutor, input: { id: string; userId: string; purpose: string; codeHash: string; now: Date; expiresAt: Date }): Promise<void> {
  await deleteEmailCodes(db, input.userId, input.purpose)
  await db.query(
    'insert into guard_email_codes (id, user_id, purpose, code_hash, created_at, expires_at) values ($1, $2, $3, $4, $5, $6)',
    [input.id, input.userId, input.purpose, input.codeHash, input.now.toISOString(), input.expiresAt.toISOString()],
  )
}

/**
 * Counts one attempt at the user's live code for `purpose` atomically and
 * returns it, or `undefined` when there is none (expired, spent, or out of
 * attempts — `maxAttempts` counts this one).
 *
 * @example
 * const code = await attemptEmailCode(db, userId, 'challenge', 5, new Date())
 */
export async function attemptEmailCode(db: SqlExecutor, userId: string, purpose: string, maxAttempts: number, now: Date): Promise<EmailCodeRecord | undefined> {
  const [row] = await db.query<any>(
    `update guard_email_codes set attempts = attempts + 1
      where user_id = $1 and purpose = $2 and used_at is null and expires_at > $3 and attempts < $4
      returning id, code_hash, expires_at, attempts`,
    [userId, purpose, now.toISOString(), maxAttempts],
  )
  return row && { id: row.id, codeHash: row.code_hash, expiresAt: new Date(row.expires_at), attempts: row.attempts }
}

/**
 * Spends an email code; `false` if a concurrent request already did.
 *
 * @example
 * await spendEmailCode(db, code.id, new Date())
 */
export async function spendEmailCode(db: SqlExecutor, id: string, now: Date): Promise<boolean> {
  return (await db.query('update guard_email_codes set used_at = $2 where id = $1 and used_at is null returning id', [id, now.toISOString()])).length > 0
}

/**
 * Deletes a user's email codes: those for `purpose`, or all of them when it
 * is omitted (an admin reset their MFA).
 *
 * @example
 * await deleteEmailCodes(tx, userId)
 */
export async function deleteEmailCodes(db: SqlExecutor, userId: string, purpose?: string): Promise<void> {
  await db.query('delete from guard_email_codes where user_id = $1 and ($2::text is null or purpose = $2)', [userId, purpose ?? null])
}

/**
 * Deletes spent or expired email codes; returns how many went.
 *
 * @example
 * await pruneEmailCodes(db, new Date())
 */
export async function pruneEmailCodes(db: SqlExecutor, now: Date): Promise<number> {
  return (await db.query('delete from guard_email_codes where expires_at <= $1 or used_at is not null returning 1', [now.toISOString()])).length
}

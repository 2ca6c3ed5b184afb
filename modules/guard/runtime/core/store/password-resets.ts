import type { SqlExecutor } from './db/database'

/** A live reset code of one user (its keyed hash, never the code). */
export interface PasswordResetRecord { id: string; userId: string; codeHash: string; expiresAt: Date; attempts: number }

/**
 * Stores a reset code for the account with `email`, if there is one that is
 * not disabled at `now`, in a single statement that runs the same way for
 * unknown addresses (it then inserts nothing): earlier unused codes of that
 * user stop working, a disabled account's too. Resolves to the user's id,
 * email and whether the account is disabled (then no code was stored), or
 * `undefined` when no account has the address.
 *
 * @example
 * const user = await insertPasswordResetFor(db, { id, email: 'ada@example.com', codeHash, now, expiresAt })
 * // { userId: 'user_…', email: 'ada@example.com', disabled: false } | undefined
 */
export async function insertPasswordResetFor(db: SqlExecutor, input: { id: string; email: string; codeHash: string; now: Date; expiresAt: Date }): Promise<{ userId: string; email: string; disabled: boolean } | undefined> {
  const [row] = await db.query<{ id: string; email: string; disabled: boolean }>(
    `with u as (select id, email, (disabled_at is not null and (disabled_until is null or disabled_until > $4)) as disabled
                  from guard_users where lower(email) = lower($2)),
          gone as (delete from guard_password_resets where user_id in (select id from u) and used_at is null),
          stored as (insert into guard_password_resets (id, user_id, code_hash, created_at, expires_at)
                     select $1, u.id, $3, $4, $5 from u where not u.disabled returning id)
     select id, email, disabled from u`,
    [input.id, input.email, input.codeHash, input.now.toISOString(), input.expiresAt.toISOString()],
  )
  return row && { userId: row.id, email: row.email, disabled: row.disabled }
}

/**
 * Counts one attempt at the user's live reset code atomically and returns it,
 * or `undefined` when there is none (expired, spent, or out of attempts —
 * `maxAttempts` counts this one).
 *
 * @example
 * const reset = await attemptPasswordReset(db, userId, 5, new Date())
 */
export async function attemptPasswordReset(db: SqlExecutor, userId: string, maxAttempts: number, now: Date): Promise<PasswordResetRecord | undefined> {
  const [row] = await db.query<any>(
    `update guard_password_resets set attempts = attempts + 1
      where user_id = $1 and used_at is null and expires_at > $2 and attempts < $3
      returning id, user_id, code_hash, expires_at, attempts`,
    [userId, now.toISOString(), maxAttempts],
  )
  return row && { id: row.id, userId: row.user_id, codeHash: row.code_hash, expiresAt: new Date(row.expires_at), attempts: row.attempts }
}

/**
 * Gives back the attempt counted on a code that was right (its account then
 * asked for the second factor, or that factor's code was wrong): the second
 * factor has its own limit, so fumbling it must not use up the reset code.
 *
 * @example
 * await refundPasswordResetAttempt(db, reset.id)
 */
export async function refundPasswordResetAttempt(db: SqlExecutor, id: string): Promise<void> {
  await db.query('update guard_password_resets set attempts = greatest(attempts - 1, 0) where id = $1 and used_at is null', [id])
}

/**
 * Spends a reset code; `false` when it was already spent (a concurrent request won).
 *
 * @example
 * if (!(await spendPasswordReset(db, reset.id, new Date()))) throw invalidResetCode()
 */
export async function spendPasswordReset(db: SqlExecutor, id: string, now: Date): Promise<boolean> {
  return (await db.query('update guard_password_resets set used_at = $2 where id = $1 and used_at is null returning id', [id, now.toISOString()])).length > 0
}

/**
 * Deletes every reset code of a user (after a reset, or when the user goes).
 *
 * @example
 * await deletePasswordResets(db, userId)
 */
export async function deletePasswordResets(db: SqlExecutor, userId: string): Promise<void> {
  await db.query('delete from guard_password_resets where user_id = $1', [userId])
}

/**
 * Deletes spent or expired reset codes; returns how many went.
 *
 * @example
 * await prunePasswordResets(db, new Date())
 */
export async function prunePasswordResets(db: SqlExecutor, now: Date): Promise<number> {
  return (await db.query('delete from guard_password_resets where expires_at <= $1 or used_at is not null returning 1', [now.toISOString()])).length
}

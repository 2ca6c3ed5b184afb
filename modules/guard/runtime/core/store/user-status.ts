/**
 * An account's status rows: disabling and enabling it, and the steps of
 * deleting it, each under the users lock where the last admin who can sign
 * in must stay.
 */
import type { GuardDatabase, SqlExecutor } from './db/database'
import { assertAnotherAdmin, COLUMNS, toUserRecord, USERS_LOCK, type UserRecord, type UserRow } from './users'

/** A user row before and after a change of its status. */
export interface UserStatusChange { before: UserRecord; after: UserRecord }

/**
 * Disables an account: sets `disabled_at` (now), the admin's reason and the
 * optional end (`until`; null = until enabled). `undefined` when there is no
 * such user. Refuses (LastAdminError) to disable the last admin who can sign
 * in. Sessions are not touched here: revoke them after (guard.revokeUserSessions).
 *
 * @example
 * const change = await disableUserRow(db, userId, { reason: 'Left the company', until: null, now: new Date() })
 */
export function disableUserRow(db: GuardDatabase, userId: string, input: { reason: string; until: Date | null; now: Date }): Promise<UserStatusChange | undefined> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [USERS_LOCK])
    const [current] = await tx.query<UserRow>(`select ${COLUMNS} from guard_users where id = $1`, [userId])
    if (!current) return undefined
    await assertAnotherAdmin(tx, current, input.now)
    const [row] = await tx.query<UserRow>(
      `update guard_users set disabled_at = $2, disabled_reason = $3, disabled_until = $4, updated_at = now() where id = $1 returning ${COLUMNS}`,
      [userId, input.now.toISOString(), input.reason, input.until?.toISOString() ?? null],
    )
    return { before: toUserRecord(current), after: toUserRecord(row!) }
  })
}

/**
 * Enables an account again: clears `disabled_at`, the reason and the end.
 * `undefined` when there is no such user.
 *
 * @example
 * const change = await enableUserRow(db, userId)
 */
export async function enableUserRow(db: SqlExecutor, userId: string): Promise<UserStatusChange | undefined> {
  const [before] = await db.query<UserRow>(`select ${COLUMNS} from guard_users where id = $1`, [userId])
  if (!before) return undefined
  const [row] = await db.query<UserRow>(
    `update guard_users set disabled_at = null, disabled_reason = null, disabled_until = null, updated_at = now() where id = $1 returning ${COLUMNS}`,
    [userId],
  )
  return row && { before: toUserRecord(before), after: toUserRecord(row) }
}

/**
 * The first step of deleting a user, inside `db.transaction`: takes the
 * users lock (no sign-up, role change or disabling interleaves) and locks the
 * row itself (no session can be inserted for it until the transaction
 * ends). Refuses (LastAdminError) when the user is the last admin who can
 * sign in, as taking the admin role away would. `undefined` when there is no
 * such user.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   const user = await lockUserForDeletion(tx, userId, new Date())
 *   if (user) await deleteUserRow(tx, user.id)
 * })
 */
export async function lockUserForDeletion(tx: SqlExecutor, userId: string, now: Date): Promise<UserRecord | undefined> {
  await tx.query('select pg_advisory_xact_lock($1)', [USERS_LOCK])
  const [row] = await tx.query<UserRow>(`select ${COLUMNS} from guard_users where id = $1 for update`, [userId])
  if (!row) return undefined
  await assertAnotherAdmin(tx, row, now)
  return toUserRecord(row)
}

/**
 * Deletes a user's row; ON DELETE CASCADE removes the rows that reference it
 * (sessions, factors, recovery codes, email codes, remembered devices,
 * password resets, address verifications, re-enrollment proofs, and through
 * the sessions their WebAuthn challenges). Call it after
 * `lockUserForDeletion` in the same transaction. `false` when it was gone.
 *
 * @example
 * await deleteUserRow(tx, userId)
 */
export async function deleteUserRow(tx: SqlExecutor, userId: string): Promise<boolean> {
  return (await tx.query('delete from guard_users where id = $1 returning id', [userId])).length > 0
}

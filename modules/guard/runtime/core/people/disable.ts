import type { Guard } from '../engine/create-guard'
import { deletePasswordResets } from '../store/password-resets'
import { disableUserRow, enableUserRow } from '../store/user-status'
import type { UserRecord } from '../store/users'
import { PeopleError } from './errors'
import { isUserDisabled } from './status'

/** A user's status fields as the audit log records them. */
export function statusSnapshot(user: UserRecord, now: Date) {
  return {
    email: user.email,
    disabled: isUserDisabled(user, now),
    disabledAt: user.disabledAt?.toISOString() ?? null,
    disabledReason: user.disabledReason ?? null,
    disabledUntil: user.disabledUntil?.toISOString() ?? null,
  }
}

const notFound = (userId: string) => new PeopleError('user_not_found', `There is no user ${userId}; pick one from the users list.`, { field: 'userId' })

/**
 * Disables an account at once: records the reason (shown to admins only)
 * and the optional end `until` (must be in the future; null: until an admin
 * enables it), then ends every session of the user on every instance
 * (`guard.revokeUserSessions`: their tokens are refused from the next
 * request), and voids the password reset codes already sent (a code must
 * not outlive the disable and work once the account is enabled again).
 * From then on sign-in answers 403 `user_disabled` — only after the
 * right password — and refreshes fail, until `until` passes or an admin
 * enables the account. Refused: your own account (409 `own_account`), the
 * last admin who can sign in (409 `last_admin`), an unknown user (404).
 *
 * @example
 * const { before, after, revokedSessions } = await disableUser(guard, { userId, actorId: admin.userId, reason: 'Left the company', until: null })
 */
export async function disableUser(guard: Guard, input: { userId: string; actorId: string; reason: string; until?: Date | null }): Promise<{ before: UserRecord; after: UserRecord; revokedSessions: number }> {
  if (input.userId === input.actorId) throw new PeopleError('own_account', 'You cannot disable your own account; ask another admin.')
  const now = guard.mfa.nowDate()
  const until = input.until ?? null
  if (until && until.getTime() <= now.getTime()) {
    throw new PeopleError('invalid_request', 'until: the end must be in the future; leave it empty to disable until you enable the account again', { field: 'until' })
  }
  const change = await disableUserRow(guard.db, input.userId, { reason: input.reason, until, now })
  if (!change) throw notFound(input.userId)
  await deletePasswordResets(guard.db, input.userId)
  const revokedSessions = await guard.revokeUserSessions(input.userId)
  return { ...change, revokedSessions }
}

/**
 * Enables an account again: clears the disablement (reason and end too).
 * The user signs in again with their password; their sessions ended when the
 * account was disabled. 404 for an unknown user.
 *
 * @example
 * const { before, after } = await enableUser(guard, userId)
 */
export async function enableUser(guard: Guard, userId: string): Promise<{ before: UserRecord; after: UserRecord }> {
  const change = await enableUserRow(guard.db, userId)
  if (!change) throw notFound(userId)
  return change
}

import type { Guard } from '../engine/create-guard'
import type { SignInClient } from '../engine/sign-in-throttle'
import { findUserById } from '../store/users'
import { verifyCurrentPassword } from './current-password'
import { deleteUser, type DeletedUser } from './delete-user'
import { AccountError } from './errors'
import { requireRecentSecondFactor } from './recent-factor'
import type { DeleteAccountBody } from './schema'

/** A signed-in user's request to delete their own account. */
export interface DeleteOwnAccountInput extends DeleteAccountBody, SignInClient {
  userId: string
  sessionId: string
  /** `claims.mfa.c` of the caller's own token (see requireRecentSecondFactor). */
  tokenFactors?: Readonly<Record<string, number | undefined>>
}

/**
 * Deletes the caller's own account (`deleteUser` with `by: 'self'`) once it
 * is confirmed: `confirmEmail` must be the account's address (any case; 422
 * `invalid_request`, `field: 'confirmEmail'`); with a usable second factor,
 * one completed within 10 minutes (403 `mfa_required` with `mfa_token`),
 * else the current password, checked and throttled as a sign-in (422
 * `incorrect_password`; missing: 422 `invalid_request`, `field:
 * 'currentPassword'`). The last admin is refused (409 `last_admin`).
 *
 * @example
 * const { email } = await deleteOwnAccount(guard, { userId, sessionId, confirmEmail: 'ada@example.com', currentPassword, ip })
 */
export async function deleteOwnAccount(guard: Guard, input: DeleteOwnAccountInput): Promise<DeletedUser> {
  const user = await findUserById(guard.db, input.userId)
  if (!user) throw new AccountError('unauthenticated', 'This account no longer exists; sign in again.')
  if (input.confirmEmail.trim().toLowerCase() !== user.email.toLowerCase()) {
    throw new AccountError('invalid_request', 'confirmEmail: type the email address of this account exactly', { field: 'confirmEmail' })
  }
  if (!(await requireRecentSecondFactor(guard, input))) {
    if (!input.currentPassword) throw new AccountError('invalid_request', 'currentPassword: enter your current password', { field: 'currentPassword' })
    await verifyCurrentPassword(guard, user, input.currentPassword, { ip: input.ip, knownDevices: input.knownDevices })
  }
  return deleteUser(guard, user.id, { actorId: user.id, ip: input.ip ?? null, by: 'self' })
}

import { hashPassword } from '../crypto/password'
import type { Guard } from '../engine/create-guard'
import type { RenewedSession } from '../engine/sessions'
import type { SignInClient } from '../engine/sign-in-throttle'
import { assertAcceptablePassword } from '../passwords/check'
import { writeAudit } from '../store/audit'
import { deletePasswordResets } from '../store/password-resets'
import { findUserById, setUserPasswordHash } from '../store/users'
import { verifyCurrentPassword } from './current-password'
import { AccountError } from './errors'
import { requireRecentSecondFactor } from './recent-factor'
import type { ChangePasswordBody } from './schema'

/** A signed-in user's request to change their password. */
export interface ChangePasswordInput extends Partial<Pick<ChangePasswordBody, 'signOutOfOtherSessions'>>, Omit<ChangePasswordBody, 'signOutOfOtherSessions'>, SignInClient {
  userId: string
  /** The session making the change: it stays signed in (renewed). */
  sessionId: string
  /** `claims.mfa.c` of the caller's own token (see requireRecentSecondFactor). */
  tokenFactors?: Readonly<Record<string, number | undefined>>
}

/** What a change of password did. */
export interface PasswordChanged {
  /** The calling session, renewed: a new token and refresh secret for its cookies; undefined if it ended meanwhile. */
  renewed: RenewedSession | undefined
  /** The user's other sessions signed out (0 with `signOutOfOtherSessions: false`). */
  revokedSessions: number
  /** Settles once the "password changed" email is handed to the mailer; never rejects (a failure is logged). */
  delivery: Promise<void>
}

/**
 * Changes a signed-in user's password. In order: a second factor completed
 * within 10 minutes when the user has one (403 `mfa_required` with
 * `mfa_token`, see requireRecentSecondFactor); the current password, checked
 * and throttled as a sign-in (422 `incorrect_password`, 429
 * `too_many_attempts`); the new one must differ from it (422
 * `invalid_request`, `field: 'newPassword'`) and pass
 * `assertAcceptablePassword` (its refusal as it is). Then: the hash and
 * `password_changed_at` are written, pending reset codes die, the other
 * sessions are signed out on every instance (unless `signOutOfOtherSessions`
 * is false), this session is renewed (a change of privilege: a refresh
 * secret copied before no longer works), the audit log records
 * `user.password_changed` (no password material) and the user is told by email.
 *
 * @example
 * const { renewed, revokedSessions } = await changePassword(guard, { userId, sessionId, currentPassword, newPassword, signOutOfOtherSessions: true, ip })
 */
export async function changePassword(guard: Guard, input: ChangePasswordInput): Promise<PasswordChanged> {
  const user = await findUserById(guard.db, input.userId)
  if (!user) throw new AccountError('unauthenticated', 'This account no longer exists; sign in again.')
  await requireRecentSecondFactor(guard, input)
  await verifyCurrentPassword(guard, user, input.currentPassword, { ip: input.ip, knownDevices: input.knownDevices })
  if (input.newPassword === input.currentPassword) {
    throw new AccountError('invalid_request', 'newPassword: choose a password different from your current one', { field: 'newPassword' })
  }
  await assertAcceptablePassword(guard, input.newPassword, { email: user.email })
  const now = guard.mfa.nowDate()
  await setUserPasswordHash(guard.db, user.id, await hashPassword(input.newPassword), now)
  await deletePasswordResets(guard.db, user.id)
  const signOut = input.signOutOfOtherSessions ?? true
  const revokedSessions = signOut ? await guard.revokeUserSessions(user.id, { except: input.sessionId }) : 0
  const renewed = await guard.sessions.renew(input.sessionId)
  await writeAudit(guard.db, { actorId: user.id, action: 'user.password_changed', target: user.id, after: { signOutOfOtherSessions: signOut, revokedSessions }, ip: input.ip ?? null })
  const delivery = guard.mfa.deps.mailer.send({
    to: user.email,
    subject: 'Your password was changed',
    text: `The password of your account ${user.email} was just changed${signOut ? ', and every other device signed in to it was signed out' : ''}.\n\nIf this was not you, reset your password at once (Forgot password? on the sign-in page) and tell the site's administrator.`,
  }).catch(error => console.error('[nuxt-guard] a password-changed email could not be sent:', error))
  return { renewed, revokedSessions, delivery }
}

import { sha256 } from '../crypto/random'
import { hashPassword } from '../crypto/password'
import type { Guard } from '../engine/create-guard'
import { tooManyAttempts } from '../mfa/errors'
import { writeAudit } from '../store/audit'
import { hitRateLimit, resetRateLimit } from '../store/rate-limits'
import { attemptPasswordReset, refundPasswordResetAttempt, deletePasswordResets, spendPasswordReset } from '../store/password-resets'
import { findUserByEmail, setUserPasswordHash } from '../store/users'
import { PasswordResetError } from './errors'
import { isUserDisabled, userDisabledError } from '../people/status'
import { assertAcceptablePassword } from '../passwords/check'
import { oneTimeCodeMatches } from '../crypto/one-time-code'
import { RESET_CODE_MAX_ATTEMPTS, RESET_CODE_PURPOSE } from './code'
import { proveResetFactor } from './factor'
import type { ResetConfirmInput } from './schema'

/** Reset-code answers per client address (over every account), per 15 minutes. */
export const RESET_CONFIRM_CLIENT_RULE = { limit: 30, windowSeconds: 900, blockSeconds: 900 }

/**
 * Sets a new password with a reset code. Refused with 400
 * `invalid_reset_code` when the code is wrong, spent, expired, out of tries
 * or another address's; with 403 `reset_factor_required` (`factors`) when
 * the account has a second factor and no `factor`/`factorCode` answer was
 * given (the code is not spent); 401 `invalid_code` for a wrong factor code;
 * 429 past the per-client or per-account limits; 403 `user_disabled` for a
 * right code of a disabled account (disabling voids the codes; this is for a
 * code stored in the same instant); 422 `weak_password` or
 * `breached_password` for a new password people could guess (judged first,
 * so it spends no try of the code). On success the code is
 * spent, every session of the user is revoked on every instance, and the
 * user is told by email (`delivery`, after the answer).
 *
 * @example
 * const { revokedSessions } = await confirmPasswordReset(guard, { email, code: 'K7Q2M-9XHTC', password: 'new passphrase', factor: 'totp', factorCode: '492039' })
 */
export async function confirmPasswordReset(guard: Guard, input: ResetConfirmInput & { ip?: string }): Promise<{ revokedSessions: number; delivery: Promise<void> }> {
  const now = guard.mfa.nowDate()
  const byClient = await hitRateLimit(guard.db, `reset-confirm:client:${input.ip || 'unknown'}`, RESET_CONFIRM_CLIENT_RULE, now)
  if (!byClient.allowed) throw tooManyAttempts(byClient.retryAfterSeconds)
  // Judged before the code, alike for every address: a weak choice spends none of the code's tries.
  await assertAcceptablePassword(guard, input.password, { email: input.email })
  const user = await findUserByEmail(guard.db, input.email)
  const reset = user && await attemptPasswordReset(guard.db, user.id, RESET_CODE_MAX_ATTEMPTS, now)
  const matches = oneTimeCodeMatches(RESET_CODE_PURPOSE, reset?.id ?? 'none', input.code, reset?.codeHash ?? sha256('none'), guard.mfa.pepper)
  if (!user || !reset || !matches) {
    // One answer for every case, without the tries left: they would tell a live code (a real account) from none.
    throw new PasswordResetError('invalid_reset_code')
  }
  // A disabled account's code opens nothing (disabling voids them; this catches one stored in the same instant).
  if (isUserDisabled(user, now)) throw userDisabledError(user)
  // The code was right: a missing or wrong second-factor answer gives its try back (the factor counts its own).
  await proveResetFactor(guard.mfa, user.id, input).catch(async (error: unknown) => {
    await refundPasswordResetAttempt(guard.db, reset.id)
    throw error
  })
  if (!(await spendPasswordReset(guard.db, reset.id, guard.mfa.nowDate()))) throw new PasswordResetError('invalid_reset_code')
  await setUserPasswordHash(guard.db, user.id, await hashPassword(input.password), guard.mfa.nowDate())
  await deletePasswordResets(guard.db, user.id)
  await resetRateLimit(guard.db, `reset-request:address:${sha256(input.email.toLowerCase())}`, now)
  const revokedSessions = await guard.revokeUserSessions(user.id)
  await writeAudit(guard.db, { actorId: user.id, action: 'user.password_reset', target: user.id, after: { email: user.email, revokedSessions, factor: input.factor ?? null }, ip: input.ip })
  const delivery = guard.mfa.deps.mailer.send({
    to: user.email,
    subject: 'Your password was changed',
    text: `The password of your account ${user.email} was just reset, and every device signed in to it was signed out.\n\nIf this was not you, reset your password again at once and tell the site's administrator.`,
  })
  return { revokedSessions, delivery }
}


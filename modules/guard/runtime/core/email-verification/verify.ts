import type { Guard } from '../engine/create-guard'
import { writeAudit } from '../store/audit'
import { applyEmailVerification } from '../store/email-verifications'
import { hitRateLimit, type RateLimitRule } from '../store/rate-limits'
import { findUserById, type UserRecord } from '../store/users'
import { EMAIL_VERIFICATION_TTL_SECONDS, issueEmailCode, matchEmailCode } from './codes'
import { EmailVerificationError } from './errors'
import { verifyMessage } from './messages'

/** Verification emails per user (sign-up's included), per 15 minutes. */
export const VERIFY_SEND_RULE: RateLimitRule = { limit: 5, windowSeconds: 900, blockSeconds: 900 }

/** What sending answers: where the code went and for how long it works, or that there is nothing to verify. */
export type VerifySendAnswer = { verified: false; sentTo: string; expiresInSeconds: number } | { verified: true; email: string }

/**
 * Emails the user a code that verifies their current address (10 symbols,
 * 30 minutes, 5 tries, stored as a keyed hash; the previous unused code
 * stops working). Sent at sign-up and on "resend": 5 per user per 15
 * minutes, then 429 `too_many_attempts` with `retryAfterSeconds`. An
 * already verified address answers `{ verified: true }` and sends nothing;
 * 409 `email_verification_off` when `account.emailVerification` is `off`.
 * The email goes out after the answer (`delivery`).
 *
 * @example
 * const { answer, delivery } = await sendVerificationEmail(guard, user, { pageUrl: 'https://app.example.com/verify-email' })
 * void delivery.catch(log) // answer: { verified: false, sentTo: 'ada@example.com', expiresInSeconds: 1800 }
 */
export async function sendVerificationEmail(guard: Guard, user: UserRecord, options: { pageUrl?: string } = {}): Promise<{ answer: VerifySendAnswer; delivery: Promise<void> }> {
  if (guard.live.policy.config.account.emailVerification === 'off') throw new EmailVerificationError('email_verification_off')
  if (user.emailVerified) return { answer: { verified: true, email: user.email }, delivery: Promise.resolve() }
  guard.mfa.pruneOccasionally()
  const hit = await hitRateLimit(guard.db, `email-verify-send:${user.id}`, VERIFY_SEND_RULE, guard.mfa.nowDate())
  if (!hit.allowed) {
    throw new EmailVerificationError('too_many_attempts', `Too many verification emails; try again in ${Math.ceil(hit.retryAfterSeconds / 60)} minutes.`, { retryAfterSeconds: hit.retryAfterSeconds })
  }
  const { code } = await issueEmailCode(guard, { userId: user.id, email: user.email, purpose: 'verify' })
  const delivery = guard.mfa.deps.mailer.send(verifyMessage(user.email, code, options.pageUrl))
  return { answer: { verified: false, sentTo: user.email, expiresInSeconds: EMAIL_VERIFICATION_TTL_SECONDS }, delivery }
}

/**
 * Verifies the user's current address with the emailed code: the code is
 * spent, `email_verified` becomes true, the change is audited
 * (`user.email_verified`), and every session of the user, on every instance,
 * carries `email_verified: true` from its next request (guard.claimsChanged).
 * 400 `invalid_verification_code` (`attemptsRemaining`) for a wrong, spent,
 * expired or another account's code, or one sent to an address the account
 * no longer has. An address already verified answers as verified, whatever
 * the code, and changes nothing. Resolves to the updated user.
 *
 * @example
 * const user = await confirmEmailVerification(guard, { user, code: 'K7Q2M-9XHTC', ip })
 * user.emailVerified // true
 */
export async function confirmEmailVerification(guard: Guard, input: { user: UserRecord; code: string; ip?: string }): Promise<UserRecord> {
  // Already verified (a second click, a code used twice): nothing to do, and nothing to refuse.
  if (input.user.emailVerified) return input.user
  const live = await matchEmailCode(guard, input.user.id, 'verify', input.code)
  const updated = await applyEmailVerification(guard.db, live, guard.mfa.nowDate())
  if (!updated) throw new EmailVerificationError('invalid_verification_code', undefined, { attemptsRemaining: 0 })
  await guard.claimsChanged(updated.id, updated.claimsEpoch)
  await writeAudit(guard.db, { actorId: updated.id, action: 'user.email_verified', target: updated.id, before: { email: input.user.email, emailVerified: input.user.emailVerified }, after: { email: updated.email, emailVerified: true }, ip: input.ip })
  return updated
}

/**
 * What sign-up does once it has answered: unless `account.emailVerification`
 * is `off`, the new user gets a verification code (sendVerificationEmail, so
 * it counts toward the resend limit). Run after the answer, so sign-up's
 * status, body and time say nothing new; never throws for a missing user.
 *
 * @example
 * void verifyAfterSignUp(guard, answer.userId, { pageUrl }).catch(log)
 */
export async function verifyAfterSignUp(guard: Guard, userId: string, options: { pageUrl?: string } = {}): Promise<void> {
  if (guard.live.policy.config.account.emailVerification === 'off') return
  const user = await findUserById(guard.db, userId)
  if (!user || user.emailVerified) return
  await (await sendVerificationEmail(guard, user, options)).delivery
}

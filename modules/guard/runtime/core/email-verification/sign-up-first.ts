import { newId } from '../crypto/random'
import { hashPassword } from '../crypto/password'
import type { Guard } from '../engine/create-guard'
import type { SignInInput } from '../engine/credentials'
import { isUserDisabled } from '../people/status'
import { writeAudit } from '../store/audit'
import { hitRateLimit } from '../store/rate-limits'
import { tooManyAttempts } from '../mfa/errors'
import { applyEmailVerification } from '../store/email-verifications'
import { listFactors } from '../store/factors'
import { EmailTakenError, createUser, findUserByEmail, type UserRecord } from '../store/users'
import { EMAIL_VERIFICATION_TTL_SECONDS, issueEmailCode, matchEmailCode } from './codes'
import { EmailVerificationError } from './errors'
import { takenNoticeMessage, verifyMessage } from './messages'

/** The one answer to a sign-up that must verify its address first, whether or not the address has an account. */
export interface VerifyFirstAnswer { verificationRequired: true; email: string; expiresInSeconds: number }

/**
 * Sign-up with `account.enumerationProtection` on (once the site has its
 * first user): nothing is signed in until the address is proved, so the
 * answer can be the same for every address. The password is hashed either
 * way; a new address gets an account (unverified) and a code, an address
 * that has an account gets nothing but a notice to its owner. The email goes
 * out after the answer (`delivery`).
 *
 * @example
 * const { answer, delivery } = await signUpToVerify(guard, { email, password }, { pageUrl, signInUrl })
 * // answer: { verificationRequired: true, email, expiresInSeconds: 1800 }
 */
export async function signUpToVerify(guard: Guard, credentials: SignInInput, links: { pageUrl?: string; signInUrl?: string } = {}): Promise<{ answer: VerifyFirstAnswer; delivery: Promise<void> }> {
  const passwordHash = await hashPassword(credentials.password)
  let created: UserRecord | undefined
  try { created = await createUser(guard.db, { id: newId('user'), email: credentials.email, passwordHash }) }
  catch (error) { if (!(error instanceof EmailTakenError)) throw error }
  const { mailer } = guard.mfa.deps
  let message
  if (created) {
    const { code } = await issueEmailCode(guard, { userId: created.id, email: created.email, purpose: 'verify' })
    message = verifyMessage(created.email, code, links.pageUrl)
  }
  else message = takenNoticeMessage(credentials.email, links.signInUrl)
  return { answer: { verificationRequired: true, email: credentials.email, expiresInSeconds: EMAIL_VERIFICATION_TTL_SECONDS }, delivery: mailer.send(message) }
}

/** Codes tried per client address (over every address typed), per 15 minutes. */
export const VERIFY_SIGN_IN_CLIENT_RULE = { limit: 30, windowSeconds: 900, blockSeconds: 900 }

/**
 * Finishes a verify-first sign-up: the code emailed to the address proves it,
 * the address becomes verified, and the caller opens the session. Only for an
 * account that is still unverified and has no second factor (a code to the
 * mailbox is no way around one); wrong, spent, expired, another account's
 * code and an unknown address all answer the same 400
 * `invalid_verification_code` (no tries left are said); 429 past 30 codes
 * per client address in 15 minutes.
 *
 * @example
 * const user = await signInWithVerification(guard, { email, code: 'K7Q2M-9XHTC', ip })
 */
export async function signInWithVerification(guard: Guard, input: { email: string; code: string; ip?: string }): Promise<UserRecord> {
  const refused = () => new EmailVerificationError('invalid_verification_code')
  const byClient = await hitRateLimit(guard.db, `verify-sign-in:client:${input.ip || 'unknown'}`, VERIFY_SIGN_IN_CLIENT_RULE, guard.mfa.nowDate())
  if (!byClient.allowed) throw tooManyAttempts(byClient.retryAfterSeconds)
  const user = await findUserByEmail(guard.db, input.email)
  const eligible = user && !user.emailVerified && !isUserDisabled(user, guard.mfa.nowDate()) && (await listFactors(guard.db, user.id)).length === 0
  if (!user || !eligible) {
    await matchEmailCode(guard, 'user_none', 'verify', input.code).catch(() => {}) // the same work as a real attempt
    throw refused()
  }
  const live = await matchEmailCode(guard, user.id, 'verify', input.code).catch(() => { throw refused() })
  const updated = await applyEmailVerification(guard.db, live, guard.mfa.nowDate())
  if (!updated) throw refused()
  await writeAudit(guard.db, { actorId: updated.id, action: 'user.email_verified', target: updated.id, before: { email: user.email, emailVerified: false }, after: { email: updated.email, emailVerified: true, signedIn: true }, ip: input.ip })
  return updated
}

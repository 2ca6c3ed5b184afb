import { newId } from '../../crypto/random'
import { EMAIL_CODE_MAX_ATTEMPTS, EMAIL_CODE_TTL_SECONDS, emailCodeMatches, hashEmailCode, maskEmail, newEmailCode } from './code'
import { confirmFactor, insertFactor, listFactors } from '../../store/factors'
import { attemptEmailCode, insertEmailCode, spendEmailCode } from '../../store/email-codes'
import { hitRateLimit } from '../../store/rate-limits'
import type { MfaCore } from '../service'
import { MfaError, tooManyAttempts } from '../errors'
import { factorUse, requireEnrollmentRight } from '../reenroll'
import type { IssuedToken } from '../../engine/sessions'
import { assertEmailCodeAddressVerified } from '../../email-verification/factor-gate'

export type EmailCodePurpose = 'enroll' | 'challenge'

/** Codes a user may have sent per 15 minutes. */
const SEND_RULE = { limit: 5, windowSeconds: 900, blockSeconds: 900 }

/**
 * Emails a one-time code (6 digits, 10 minutes, stored hashed) through the
 * configured mailer. Enrolling needs a verified address (403
 * `email_verification_required`, unless account.emailVerification is `off`)
 * and no factor yet, or one completed in this session; a challenge needs the
 * factor enrolled.
 *
 * @example
 * await sendEmailCode(guard.mfa, { userId, sessionId, email, purpose: 'challenge' }) // { sentTo: 'a***@example.com', expiresInSeconds: 600 }
 */
export async function sendEmailCode(mfa: MfaCore, input: { userId: string; sessionId: string; email: string; purpose: EmailCodePurpose }): Promise<{ sentTo: string; expiresInSeconds: number }> {
  // A challenge code may go out while the strategy is off to a stranded user: it proves it is them, for enrollment only.
  if (input.purpose === 'enroll') mfa.assertStrategy('email_code')
  else await factorUse(mfa, input.userId, 'email_code')
  const enrolled = (await listFactors(mfa.db, input.userId, { type: 'email_code' })).length > 0
  if (input.purpose === 'enroll') {
    if (enrolled) throw new MfaError('already_enrolled', 'Email codes are already set up for this account.')
    await requireEnrollmentRight(mfa, input.sessionId, input.userId)
    await assertEmailCodeAddressVerified(mfa, input.userId)
  }
  else if (!enrolled) throw new MfaError('not_enrolled', 'Email codes are not set up for this account; use another factor.')
  const sent = await hitRateLimit(mfa.db, `email-send:${input.userId}`, SEND_RULE, mfa.nowDate())
  if (!sent.allowed) throw tooManyAttempts(sent.retryAfterSeconds)
  const code = newEmailCode()
  const id = newId('ecode')
  const now = mfa.nowDate()
  await insertEmailCode(mfa.db, { id, userId: input.userId, purpose: input.purpose, codeHash: hashEmailCode(id, code, mfa.pepper), now, expiresAt: new Date(now.getTime() + EMAIL_CODE_TTL_SECONDS * 1000) })
  await mfa.deps.mailer.send({
    to: input.email,
    subject: `Your verification code: ${code}`,
    text: `Your verification code is ${code}. It expires in ${EMAIL_CODE_TTL_SECONDS / 60} minutes.\nIf you did not ask for it, change your password: someone knows it.`,
  })
  return { sentTo: maskEmail(input.email), expiresInSeconds: EMAIL_CODE_TTL_SECONDS }
}

/**
 * Checks the live emailed code for a purpose: each code survives 5 wrong
 * guesses, expires after 10 minutes and works once.
 *
 * @example
 * if (!(await verifyEmailCode(guard.mfa, userId, 'challenge', input))) throw invalidCode()
 */
export async function verifyEmailCode(mfa: MfaCore, userId: string, purpose: EmailCodePurpose, code: string): Promise<boolean> {
  const row = await attemptEmailCode(mfa.db, userId, purpose, EMAIL_CODE_MAX_ATTEMPTS, mfa.nowDate())
  if (!row) throw new MfaError('invalid_code', 'There is no live email code: it expired, was used, or had too many wrong tries. Send a new one.', { attemptsRemaining: 0 })
  return emailCodeMatches(row.id, code, row.codeHash, mfa.pepper) && spendEmailCode(mfa.db, row.id, mfa.nowDate())
}

/**
 * Confirms email-code enrollment with the code sent for `enroll`; the factor
 * counts as completed in this session.
 *
 * @example
 * const { issued, recoveryCodes } = await confirmEmailEnrollment(guard.mfa, { userId, sessionId, email, code })
 */
export async function confirmEmailEnrollment(mfa: MfaCore, input: { userId: string; sessionId: string; email: string; code: string }): Promise<{ issued: IssuedToken; recoveryCodes?: string[] }> {
  mfa.assertStrategy('email_code')
  if ((await listFactors(mfa.db, input.userId, { type: 'email_code' })).length) throw new MfaError('already_enrolled', 'Email codes are already set up for this account.')
  await requireEnrollmentRight(mfa, input.sessionId, input.userId)
  await assertEmailCodeAddressVerified(mfa, input.userId)
  const { attemptsRemaining } = await mfa.countAttempt(input.sessionId, input.userId, 'email_code')
  if (!(await verifyEmailCode(mfa, input.userId, 'enroll', input.code))) throw mfa.invalidCode(attemptsRemaining)
  const now = mfa.nowDate()
  const factor = await insertFactor(mfa.db, { id: newId('fac'), userId: input.userId, type: 'email_code', label: maskEmail(input.email), now })
  await confirmFactor(mfa.db, factor.id, now)
  await mfa.audit(input.userId, 'mfa.factor_enrolled', { type: 'email_code', factorId: factor.id })
  await mfa.clearAttempts(input.sessionId, input.userId, 'email_code')
  const recoveryCodes = await mfa.recoveryCodesForFirstFactor(input.userId)
  return { issued: await mfa.complete(input.sessionId, 'email_code'), recoveryCodes }
}

import { newId, sha256 } from '../crypto/random'
import { hashOneTimeCode, newOneTimeCode, oneTimeCodeMatches, type OneTimeCodePurpose } from '../crypto/one-time-code'
import type { Guard } from '../engine/create-guard'
import { attemptEmailVerification, insertEmailVerification, type EmailVerificationPurpose, type EmailVerificationRecord } from '../store/email-verifications'
import { EmailVerificationError } from './errors'

/** How long a verification or change code works: 30 minutes, like a reset code. */
export const EMAIL_VERIFICATION_TTL_SECONDS = 1_800
/** Wrong guesses one code survives. */
export const EMAIL_VERIFICATION_MAX_ATTEMPTS = 5

/** The label each purpose's codes are hashed under: a `verify` code never matches a `change` row. */
const LABEL: Record<EmailVerificationPurpose, OneTimeCodePurpose> = { verify: 'email-verify', change: 'email-change' }

/**
 * Makes and stores a code for a user and purpose (the user's earlier unused
 * code of that purpose stops working) and returns it, to be emailed to `email`.
 *
 * @example
 * const { code, expiresAt } = await issueEmailCode(guard, { userId, email: 'ada@example.com', purpose: 'verify' })
 */
export async function issueEmailCode(guard: Guard, input: { userId: string; email: string; purpose: EmailVerificationPurpose }): Promise<{ code: string; expiresAt: Date }> {
  const now = guard.mfa.nowDate()
  const code = newOneTimeCode()
  const id = newId('emv')
  const expiresAt = new Date(now.getTime() + EMAIL_VERIFICATION_TTL_SECONDS * 1000)
  await insertEmailVerification(guard.db, { id, ...input, codeHash: hashOneTimeCode(LABEL[input.purpose], id, code, guard.mfa.pepper), now, expiresAt })
  return { code, expiresAt }
}

/**
 * Checks a typed code against the user's live code of `purpose`, counting the
 * attempt first (atomically), and returns the matched row. Anything else —
 * wrong, spent, expired, out of tries, no code, another account's — is the
 * same 400 `invalid_verification_code` with `attemptsRemaining`. A hash is
 * computed either way, so the answer takes as long with or without a live code.
 *
 * @example
 * const live = await matchEmailCode(guard, userId, 'verify', 'K7Q2M-9XHTC')
 */
export async function matchEmailCode(guard: Guard, userId: string, purpose: EmailVerificationPurpose, code: string): Promise<EmailVerificationRecord> {
  const live = await attemptEmailVerification(guard.db, userId, purpose, EMAIL_VERIFICATION_MAX_ATTEMPTS, guard.mfa.nowDate())
  const matches = oneTimeCodeMatches(LABEL[purpose], live?.id ?? 'none', code, live?.codeHash ?? sha256('none'), guard.mfa.pepper)
  if (!live || !matches) {
    throw new EmailVerificationError('invalid_verification_code', undefined, { attemptsRemaining: live ? EMAIL_VERIFICATION_MAX_ATTEMPTS - live.attempts : 0 })
  }
  return live
}

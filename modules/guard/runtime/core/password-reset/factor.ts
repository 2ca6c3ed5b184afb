import type { FactorId } from '../config/schema'
import { enrolledFactorTypes } from '../store/factors'
import { hitRateLimit, resetRateLimit } from '../store/rate-limits'
import { spendRecoveryCode, unusedRecoveryCodes } from '../store/recovery-codes'
import type { MfaCore } from '../mfa/service'
import { MfaError, tooManyAttempts } from '../mfa/errors'
import { matchRecoveryCode } from '../mfa/recovery-codes/codes'
import { verifyTotpChallenge } from '../mfa/totp/service'
import { PasswordResetError } from './errors'

/** The factors that may answer during a reset: not the email code (the reset code already came by email) nor a passkey (no session to hold its ceremony). */
export const RESET_FACTORS = ['totp', 'recovery_code'] as const satisfies readonly FactorId[]
export type ResetFactor = (typeof RESET_FACTORS)[number]

/** Wrong second-factor answers one account survives during resets, per 15 minutes. */
export const RESET_FACTOR_RULE = { limit: 5, windowSeconds: 900, blockSeconds: 900 }

/**
 * When the account has any second factor, the reset needs it too: an
 * authenticator-app code or a recovery code (spent). Without an answer, 403
 * `reset_factor_required` with `factors` (those the account has, of
 * RESET_FACTORS; empty when none can answer). A wrong answer is 401
 * `invalid_code`; 5 per account per 15 minutes, then 429.
 *
 * @example
 * await proveResetFactor(guard.mfa, user.id, { factor: 'totp', factorCode: '492039' })
 */
export async function proveResetFactor(mfa: MfaCore, userId: string, answer: { factor?: ResetFactor; factorCode?: string }): Promise<void> {
  const enrolled = await enrolledFactorTypes(mfa.db, userId)
  if (!enrolled.length) return
  const usable = RESET_FACTORS.filter(factor => enrolled.includes(factor))
  if (!answer.factor || !answer.factorCode || !usable.includes(answer.factor)) {
    const description = usable.length
      ? 'This account has a second factor: enter a code from your authenticator app or one of your recovery codes to reset the password.'
      : 'This account\'s second factors cannot confirm a reset (a passkey or email codes alone): ask an administrator to reset your second factors.'
    throw new PasswordResetError('reset_factor_required', description, { factors: usable })
  }
  const now = mfa.nowDate()
  const hit = await hitRateLimit(mfa.db, `reset-factor:${userId}`, RESET_FACTOR_RULE, now)
  if (!hit.allowed) throw tooManyAttempts(hit.retryAfterSeconds)
  const passed = answer.factor === 'totp'
    ? await verifyTotpChallenge(mfa, userId, answer.factorCode)
    : await spendMatching(mfa, userId, answer.factorCode)
  if (!passed) throw new MfaError('invalid_code', 'That second-factor code is not valid.', { attemptsRemaining: Math.max(0, RESET_FACTOR_RULE.limit - hit.count) })
  await resetRateLimit(mfa.db, `reset-factor:${userId}`, now)
}

async function spendMatching(mfa: MfaCore, userId: string, code: string): Promise<boolean> {
  const unused = await unusedRecoveryCodes(mfa.db, userId)
  const index = await matchRecoveryCode(code, unused.map(c => c.codeHash), mfa.pepper)
  return index >= 0 && spendRecoveryCode(mfa.db, unused[index]!.id, mfa.nowDate())
}

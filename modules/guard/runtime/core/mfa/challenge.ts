import type { FactorId } from '../config/schema'
import { matchRecoveryCode } from './recovery-codes/codes'
import { WebauthnRejectedError } from './webauthn/errors'
import { enrolledFactorTypes } from '../store/factors'
import { spendRecoveryCode, unusedRecoveryCodes } from '../store/recovery-codes'
import type { MfaCore } from './service'
import { verifyEmailCode } from './email-code/service'
import { MfaError } from './errors'
import { factorUse, proveForReenrollment } from './reenroll'
import { verifyTotpChallenge } from './totp/service'
import type { IssuedToken } from '../engine/sessions'

/** A second-factor answer from the challenge page. */
export interface ChallengeInput {
  userId: string
  sessionId: string
  factor: FactorId
  /** TOTP, recovery or email code. */
  code?: string
  /** WebAuthn: the authenticator's assertion (AuthenticationResponseJSON). */
  response?: unknown
  /** Step-up: the `mfa_token` of the 403 that sent the user here. */
  mfaToken?: string
}

/** Verifies a WebAuthn assertion for a user; plugged in where the WebAuthn core is wired. */
export type WebAuthnVerifier = (mfa: MfaCore, userId: string, sessionId: string, response: unknown) => Promise<boolean>

/**
 * Completes a second factor for this session: checks the step-up token (when
 * given), that the strategy is on and enrolled, counts the attempt (5 per
 * challenge, a factor locked 15 minutes after 10 failures in a row), checks
 * the answer, and returns the session's new token. A switched-off factor of a
 * stranded user is accepted as proof that it is them, for setting up an
 * allowed factor only (`proveForReenrollment`): it is not recorded as completed.
 *
 * @example
 * const issued = await completeChallenge(guard.mfa, { userId, sessionId, factor: 'totp', code: '492039' })
 */
export async function completeChallenge(mfa: MfaCore, input: ChallengeInput, webauthn?: WebAuthnVerifier): Promise<IssuedToken> {
  if (input.mfaToken !== undefined) await mfa.verifyStepUpToken(input.mfaToken, input.sessionId)
  // Switched off: refused, unless the user is stranded and this is how they prove it is them (for enrollment only).
  const use = await factorUse(mfa, input.userId, input.factor)
  const needsCode = input.factor !== 'webauthn'
  if (needsCode && !input.code?.trim()) throw new MfaError('invalid_request', 'code: enter the code', { field: 'code' })
  if (!needsCode && input.response === undefined) throw new MfaError('invalid_request', 'response: answer with your passkey or security key', { field: 'response' })
  const enrolled = await enrolledFactorTypes(mfa.db, input.userId)
  if (!enrolled.includes(input.factor)) {
    throw new MfaError('not_enrolled', `This account has no ${input.factor.replace('_', ' ')} factor; choose one of: ${enrolled.join(', ') || 'none (enroll one first)'}.`)
  }
  const { attemptsRemaining } = await mfa.countAttempt(input.sessionId, input.userId, input.factor)
  const passed = await check(mfa, input, webauthn).catch((error: unknown) => {
    if (!(error instanceof WebauthnRejectedError)) throw error
    throw new MfaError('invalid_code', error.message, { attemptsRemaining, reason: error.code })
  })
  if (!passed) throw mfa.invalidCode(attemptsRemaining, input.factor === 'webauthn' ? 'passkey answer' : 'code')
  await mfa.clearAttempts(input.sessionId, input.userId, input.factor)
  return use === 'prove' ? proveForReenrollment(mfa, input) : mfa.complete(input.sessionId, input.factor)
}

async function check(mfa: MfaCore, input: ChallengeInput, webauthn?: WebAuthnVerifier): Promise<boolean> {
  switch (input.factor) {
    case 'totp': return verifyTotpChallenge(mfa, input.userId, input.code!)
    case 'email_code': return verifyEmailCode(mfa, input.userId, 'challenge', input.code!)
    case 'recovery_code': return spendMatchingRecoveryCode(mfa, input.userId, input.code!)
    case 'webauthn':
      if (!webauthn) throw new MfaError('strategy_disabled', 'Passkeys are not available on this server yet; use another factor.')
      return webauthn(mfa, input.userId, input.sessionId, input.response)
  }
}

async function spendMatchingRecoveryCode(mfa: MfaCore, userId: string, code: string): Promise<boolean> {
  const unused = await unusedRecoveryCodes(mfa.db, userId)
  const index = await matchRecoveryCode(code, unused.map(c => c.codeHash), mfa.pepper)
  return index >= 0 && spendRecoveryCode(mfa.db, unused[index]!.id, mfa.nowDate())
}

import { newId } from '../../crypto/random'
import { seal, unseal } from '../../crypto/sealed'
import { matchTotpStep, newTotpSecret, qrSvg, totpUri } from './otp'
import { confirmFactor, consumeTotpStep, deletePendingFactors, insertFactor, listFactors, type FactorRecord } from '../../store/factors'
import type { MfaCore } from '../service'
import { MfaError } from '../errors'
import { requireEnrollmentRight } from '../reenroll'
import type { IssuedToken } from '../../engine/sessions'

/** What the enrollment page shows: the key for manual entry, the URI and its QR code. */
export interface TotpEnrollment { secret: string; uri: string; qrSvg: string }

/**
 * Starts (or restarts) TOTP enrollment: a new 20-byte secret, sealed at rest,
 * pending until a valid code confirms it. A user who already has a factor
 * must have completed one in this session.
 *
 * @example
 * const { secret, uri, qrSvg } = await startTotpEnrollment(guard.mfa, { userId, sessionId, account: email, issuer: 'Acme' })
 */
export async function startTotpEnrollment(mfa: MfaCore, input: { userId: string; sessionId: string; account: string; issuer: string }): Promise<TotpEnrollment> {
  mfa.assertStrategy('totp')
  if ((await listFactors(mfa.db, input.userId, { type: 'totp' })).length) {
    throw new MfaError('already_enrolled', 'An authenticator app is already set up; remove it first to set up a new one.')
  }
  await requireEnrollmentRight(mfa, input.sessionId, input.userId)
  const secret = newTotpSecret()
  await deletePendingFactors(mfa.db, input.userId, 'totp')
  await insertFactor(mfa.db, { id: newId('fac'), userId: input.userId, type: 'totp', label: 'Authenticator app', secretSealed: await seal(secret, mfa.sealKey), now: mfa.nowDate() })
  const uri = totpUri(secret, { issuer: input.issuer, account: input.account })
  return { secret, uri, qrSvg: qrSvg(uri) }
}

/**
 * Confirms the pending TOTP factor with a code from the app. The factor
 * counts as completed in this session (the new token is returned) and the
 * first factor brings a recovery-code set.
 *
 * @example
 * const { issued, recoveryCodes } = await confirmTotpEnrollment(guard.mfa, { userId, sessionId, code: '492039' })
 */
export async function confirmTotpEnrollment(mfa: MfaCore, input: { userId: string; sessionId: string; code: string }): Promise<{ issued: IssuedToken; recoveryCodes?: string[] }> {
  mfa.assertStrategy('totp')
  const [pending] = (await listFactors(mfa.db, input.userId, { pending: true, type: 'totp' })).filter(f => !f.confirmedAt)
  if (!pending) throw new MfaError('no_pending_enrollment', 'Start the authenticator-app setup first (POST /api/_guard/mfa/totp/enroll).')
  const { attemptsRemaining } = await mfa.countAttempt(input.sessionId, input.userId, 'totp')
  if (!(await acceptTotpCode(mfa, pending, input.code))) throw mfa.invalidCode(attemptsRemaining)
  await confirmFactor(mfa.db, pending.id, mfa.nowDate())
  await mfa.audit(input.userId, 'mfa.factor_enrolled', { type: 'totp', factorId: pending.id })
  await mfa.clearAttempts(input.sessionId, input.userId, 'totp')
  const recoveryCodes = await mfa.recoveryCodesForFirstFactor(input.userId)
  return { issued: await mfa.complete(input.sessionId, 'totp'), recoveryCodes }
}

/**
 * Checks a TOTP code for the user's confirmed factor: within ±1 step and
 * never a step already used (one conditional UPDATE decides races).
 *
 * @example
 * if (!(await verifyTotpChallenge(guard.mfa, userId, code))) throw invalidCode()
 */
export async function verifyTotpChallenge(mfa: MfaCore, userId: string, code: string): Promise<boolean> {
  const [factor] = await listFactors(mfa.db, userId, { type: 'totp' })
  if (!factor) throw new MfaError('not_enrolled', 'No authenticator app is set up for this account; use another factor.')
  return acceptTotpCode(mfa, factor, code)
}

async function acceptTotpCode(mfa: MfaCore, factor: FactorRecord, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code.replace(/\s+/g, '')) || !factor.secretSealed) return false
  const step = matchTotpStep(await unseal(factor.secretSealed, mfa.sealKey), code, mfa.deps.now())
  return step !== undefined && consumeTotpStep(mfa.db, factor.id, step, mfa.nowDate())
}

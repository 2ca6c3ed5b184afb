import type { FactorId } from '../config/schema'
import type { RenewedSession } from '../engine/sessions'
import { enrolledFactorTypes } from '../store/factors'
import { findReenrollProof, saveReenrollProof } from '../store/reenroll-proofs'
import { MfaError } from './errors'
import type { MfaCore } from './service'
import { isStranded, strandedBy } from './stranded'

/** How long a proof made with a switched-off factor lets its session set up a new factor. */
export const REENROLL_PROOF_TTL_SECONDS = 900

/**
 * What answering `factor` may do for this user now: `'complete'` when its
 * strategy is on (the usual second factor); `'prove'` when it is switched
 * off but the user is stranded and holds it (it proves it is them, for
 * setting up an allowed factor only). Otherwise 403 `strategy_disabled`.
 *
 * @example
 * await factorUse(guard.mfa, userId, 'email_code') // 'prove' for a user whose only factor is a switched-off email code
 */
export async function factorUse(mfa: MfaCore, userId: string, factor: FactorId): Promise<'complete' | 'prove'> {
  if (mfa.config.strategies[factor]) return 'complete'
  const stranded = strandedBy(await enrolledFactorTypes(mfa.db, userId), mfa.config)
  if (stranded?.prove.includes(factor)) return 'prove'
  mfa.assertStrategy(factor) // switched off and not the user's way back: 403 strategy_disabled
  return 'complete'
}

/**
 * Records that this session proved it is its (stranded) user with `factor`
 * and renews the session (a change of privilege: new token, new refresh
 * secret). The factor is not recorded as completed: the token's `mfa.c` is
 * unchanged, so it satisfies no MFA requirement and opens no guarded route;
 * for {@link REENROLL_PROOF_TTL_SECONDS} it lets this session set up an
 * allowed factor (see {@link requireEnrollmentRight}).
 *
 * @example
 * const issued = await proveForReenrollment(guard.mfa, { userId, sessionId, factor: 'email_code' })
 */
export async function proveForReenrollment(mfa: MfaCore, input: { userId: string; sessionId: string; factor: FactorId }): Promise<RenewedSession> {
  const provedAt = mfa.nowDate()
  await saveReenrollProof(mfa.db, { ...input, provedAt, expiresAt: new Date(provedAt.getTime() + REENROLL_PROOF_TTL_SECONDS * 1000) })
  await mfa.audit(input.userId, 'mfa.reenroll_proved', { factor: input.factor })
  const issued = await mfa.deps.sessions.renew(input.sessionId)
  if (!issued) throw new MfaError('session_expired', 'This session has ended; sign in again.')
  return issued
}

/** The caller's session token, when the check runs for an HTTP request: a token minted before the proof never counts. */
export interface TokenFacts { factors?: Readonly<Record<string, number | undefined>>; issuedAt?: number }

/**
 * May this session set up a new second factor? A user without factors may;
 * one with factors must have completed one in this session
 * (`requireCompletedFactor`) or, while stranded, proved it is them with a
 * switched-off factor in this session within the last 15 minutes (and, for a
 * request, with a token minted since). Else 403 `mfa_required`.
 *
 * @example
 * await requireEnrollmentRight(guard.mfa, sessionId, userId)                                  // engine calls
 * await requireEnrollmentRight(guard.mfa, sessionId, userId, { factors: claims.mfa?.c, issuedAt: claims.iat }) // HTTP
 */
export async function requireEnrollmentRight(mfa: MfaCore, sessionId: string, userId: string, token?: TokenFacts): Promise<void> {
  try {
    await mfa.requireCompletedFactor(sessionId, userId, token ? token.factors ?? {} : undefined)
  }
  catch (error) {
    if (!(error instanceof MfaError) || error.code !== 'mfa_required') throw error
    if (!isStranded(await enrolledFactorTypes(mfa.db, userId), mfa.config.strategies)) throw error
    const proof = await findReenrollProof(mfa.db, sessionId, userId, mfa.nowDate())
    const provedSeconds = proof && Math.floor(proof.provedAt.getTime() / 1000)
    if (provedSeconds === undefined || (token?.issuedAt !== undefined && token.issuedAt < provedSeconds)) {
      throw new MfaError('mfa_required', 'Your second factors are switched off on this site: confirm it is you with one of them (or a recovery code) on the challenge page first, then set up another.')
    }
  }
}

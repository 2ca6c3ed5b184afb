import type { FactorId } from '../config/schema'
import { checkMfaRequirements, enrolledFirst } from '../mfa/requirements'
import { strandedBy } from '../mfa/stranded'
import { pathReadings } from '../paths/canonicalize'
import type { GuardAuth, SessionClaims } from './auth'
import type { CompiledPolicy } from './compile'
import { evaluateAccess } from './decide'
import { denialRedirect, pageWithReturnPath } from './denial'

/** What stands between a fresh session and where it is going. */
export interface MfaStep {
  /** The factors to complete (or, for enrollment, to set up) next, enrolled ones first; empty = none. */
  next: FactorId[]
  /** The enrollment or challenge page, with `redirect_url` = the destination; absent = go straight there. */
  redirectTo?: string
}

const MFA_DENIALS: ReadonlySet<string> = new Set(['mfa_enrollment_required', 'mfa_reenrollment_required', 'INVALID_CLAIMS', 'mfa_required'])

/**
 * Which MFA step, if any, a session that just signed in (or up) must take
 * before `destination` (a same-origin path): under `enforce: 'all'` the
 * requirements themselves; otherwise whatever MFA denial the middleware
 * would answer for the destination, sent to the same page it would send it to.
 *
 * @example
 * nextMfaStep(policy, auth, '/billing', Date.now() / 1000)
 * // { next: ['totp'], redirectTo: '/mfa-challenge?redirect_url=%2Fbilling' }
 */
export function nextMfaStep(policy: CompiledPolicy, auth: GuardAuth, destination: string, nowSeconds: number): MfaStep {
  const { mfa } = policy.config
  const claim: NonNullable<SessionClaims['mfa']> = auth.sessionClaims?.mfa ?? { c: {}, v: false, e: [] }
  const check = checkMfaRequirements(mfa.requirements, claim.c, mfa.strategies)
  // Stranded (every factor switched off): the challenge page, to prove it is them with what they have, then enroll.
  const stranded = strandedBy(claim.e, mfa)
  if (mfa.enforce === 'all' && (stranded || !check.satisfied)) {
    const usableEnrolled = claim.e.some(factor => factor !== 'recovery_code' && mfa.strategies[factor])
    return { next: stranded?.prove ?? enrolledFirst(check.next, claim.e), redirectTo: pageWithReturnPath(usableEnrolled || stranded ? mfa.challengeUrl : mfa.enrollUrl, destination) }
  }
  const readings = pathReadings(destination)
  const route = readings.ok ? policy.classify(readings.readings) : undefined
  if (route?.kind !== 'protected') return { next: [] }
  // The MFA step alone: an unverified address is emailVerificationStep's to answer (it comes first).
  const verdict = evaluateAccess(policy, { auth, rules: route.rules, mfaExempt: route.mfaExempt, emailVerificationExempt: true, nowSeconds })
  if (verdict.allow || !MFA_DENIALS.has(verdict.error)) return { next: [] }
  // The same page the middleware would send the destination to; its factors are already enrolled-first.
  const next = verdict.error === 'mfa_enrollment_required' ? check.next : verdict.stranded?.prove ?? verdict.factors ?? []
  return { next, redirectTo: denialRedirect(verdict, policy, destination) }
}

import { pathReadings } from '../paths/canonicalize'
import type { GuardAuth } from './auth'
import type { CompiledPolicy } from './compile'
import { evaluateAccess } from './decide'
import { denialRedirect } from './denial'

/**
 * Where a session that just signed in (or up) must go before `destination`
 * (a same-origin path) because its address is not verified: the verify-email
 * page (`account.verifyEmailUrl`) with `redirect_url` = the destination, when
 * the middleware would refuse the destination with
 * `email_verification_required` (`account.emailVerification: 'required'`, or
 * a rule demanding `emailVerified`); `undefined` otherwise. It comes before
 * any MFA step (see nextMfaStep): the verify page is exempt from MFA.
 *
 * @example
 * emailVerificationStep(policy, auth, '/billing', Date.now() / 1000) // '/verify-email?redirect_url=%2Fbilling'
 */
export function emailVerificationStep(policy: CompiledPolicy, auth: GuardAuth, destination: string, nowSeconds: number): string | undefined {
  if (!auth.userId || auth.sessionClaims?.email_verified === true) return undefined
  const readings = pathReadings(destination)
  const route = readings.ok ? policy.classify(readings.readings) : undefined
  if (route?.kind !== 'protected' || route.verifyExempt) return undefined
  const verdict = evaluateAccess(policy, { auth, rules: route.rules, mfaExempt: true, nowSeconds })
  return !verdict.allow && verdict.error === 'email_verification_required' ? denialRedirect(verdict, policy, destination) : undefined
}

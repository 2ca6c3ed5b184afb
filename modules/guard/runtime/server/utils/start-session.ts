import { getHeader, type H3Event } from 'h3'
import type { FactorId } from '../../core/config/schema'
import type { Guard } from '../../core/engine/create-guard'
import type { IssuedSession, IssuedToken, RequestOrigin } from '../../core/engine/sessions'
import { checkMfaRequirements, enrolledFirst } from '../../core/mfa/requirements'
import { pathReadings } from '../../core/paths/canonicalize'
import type { SessionClaims } from '../../core/policy/auth'
import { evaluateAccess } from '../../core/policy/decide'
import { safeRedirectPath } from '../../core/policy/redirect'
import { clientAddress } from './client-address'
import { writeSessionCookies } from './cookies'
import { guardSettings, useGuard } from './guard-instance'
import { applyRememberedDevice } from './mfa-device'
import { denialRedirect, pageWithReturnPath } from './respond'

/**
 * Runs a sign-in or sign-up, sets the session cookies and answers with the
 * new session, which factors are enrolled and which come next, and where to
 * go: the MFA enrollment or challenge page (keeping `redirect_url`) when MFA
 * stands between the user and the destination, else the destination itself
 * (a same-origin path only). A remembered device completes its factor.
 *
 * @example
 * return startSession(event, body.redirect_url, (guard, origin) => guard.sessions.signIn(body, origin))
 */
export async function startSession(event: H3Event, redirectUrl: string | undefined, open: (guard: Guard, origin: RequestOrigin) => Promise<IssuedSession>) {
  const guard = await useGuard()
  const origin = { ip: clientAddress(event), userAgent: getHeader(event, 'user-agent') }
  const started = await open(guard, origin)
  const remembered = started.claims.mfa?.e.length ? await applyRememberedDevice(event, guard, started.user.id, started.sessionId) : undefined
  const issued: IssuedSession = remembered ? { ...started, ...remembered } : started
  const auth = guard.authenticator.remember(issued.token, issued.claims)
  writeSessionCookies(event, issued, guardSettings().cookieSecure)
  const destination = safeRedirectPath(redirectUrl, guard.live.policy.config.afterSignInUrl)
  const mfa = nextMfaStep(guard, issued, auth, destination)
  return {
    userId: issued.user.id,
    sessionId: issued.sessionId,
    roles: issued.user.roles,
    factors: { enrolled: issued.claims.mfa?.e ?? [], next: mfa.next },
    redirectTo: mfa.redirectTo ?? destination,
  }
}

/** What MFA step, if any, stands between a fresh session and its destination. */
function nextMfaStep(guard: Guard, issued: IssuedToken, auth: ReturnType<Guard['authenticator']['remember']>, destination: string): { next: FactorId[]; redirectTo?: string } {
  const policy = guard.live.policy
  const { mfa } = policy.config
  const claim: SessionClaims['mfa'] = issued.claims.mfa ?? { c: {}, v: false, e: [] }
  const check = checkMfaRequirements(mfa.requirements, claim.c, mfa.strategies)
  if (mfa.enforce === 'all' && !check.satisfied) {
    const usableEnrolled = claim.e.some(factor => factor !== 'recovery_code' && mfa.strategies[factor])
    return { next: enrolledFirst(check.next, claim.e), redirectTo: pageWithReturnPath(usableEnrolled ? mfa.challengeUrl : mfa.enrollUrl, destination) }
  }
  const readings = pathReadings(destination)
  const route = readings.ok ? policy.classify(readings.readings) : undefined
  if (route?.kind !== 'protected') return { next: [] }
  const verdict = evaluateAccess(policy, { auth, rules: route.rules, mfaExempt: route.mfaExempt, nowSeconds: guard.now() / 1000 })
  if (verdict.allow || !MFA_DENIALS.has(verdict.error)) return { next: [] }
  // The same page the middleware would send the destination to; its factors are already enrolled-first.
  const next = verdict.error === 'mfa_enrollment_required' ? check.next : verdict.factors ?? []
  return { next, redirectTo: denialRedirect(verdict, policy, destination) }
}

const MFA_DENIALS: ReadonlySet<string> = new Set(['mfa_enrollment_required', 'INVALID_CLAIMS', 'mfa_required'])

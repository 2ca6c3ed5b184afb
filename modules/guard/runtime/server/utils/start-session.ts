import { getRequestHeader, type H3Event } from 'h3'
import type { Guard } from '../../core/engine/create-guard'
import type { IssuedSession, RequestOrigin } from '../../core/engine/sessions'
import { nextMfaStep } from '../../core/policy/next-mfa-step'
import { emailVerificationStep } from '../../core/policy/verify-step'
import { safeRedirectPath } from '../../core/policy/redirect'
import { clientAddress } from './client-address'
import { writeSessionCookies } from './cookies'
import { guardSettings, useGuard } from './guard-instance'
import { applyRememberedDevice } from './mfa-device'
import { requestOptions, sessionParty } from './request-options'

/**
 * Runs a sign-in or sign-up, sets the session cookies and answers with the
 * new session, which factors are enrolled and which come next, and where to
 * go: the verify-email page when an unverified address stands between the
 * user and the destination, then the MFA enrollment or challenge page
 * (keeping `redirect_url`) when MFA does, else the destination itself
 * (a same-origin path only). A remembered device completes its factor.
 *
 * @example
 * return startSession(event, body.redirect_url, (guard, origin) => guard.sessions.signIn(body, origin))
 */
export async function startSession(event: H3Event, redirectUrl: string | undefined, open: (guard: Guard, origin: RequestOrigin) => Promise<IssuedSession>) {
  const guard = await useGuard()
  // The origin its tokens are issued to (azp): 403 unauthorized_party before any password is checked when it is not allowed.
  const origin = { ip: clientAddress(event), userAgent: getRequestHeader(event, 'user-agent'), party: sessionParty(event) }
  const started = await open(guard, origin)
  const remembered = started.claims.mfa?.e.length ? await applyRememberedDevice(event, guard, started.user.id, started.sessionId) : undefined
  const issued: IssuedSession = remembered ? { ...started, ...remembered } : started
  const auth = guard.authenticator.remember(issued.token, issued.claims)
  writeSessionCookies(event, issued, guardSettings().cookieSecure)
  const destination = safeRedirectPath(redirectUrl, requestOptions(event)?.afterSignInUrl ?? guard.live.policy.config.afterSignInUrl)
  const mfa = nextMfaStep(guard.live.policy, auth, destination, guard.now() / 1000)
  // An unverified address comes first when the destination needs one (the verify page then leads on to MFA).
  const verify = emailVerificationStep(guard.live.policy, auth, destination, guard.now() / 1000)
  return {
    userId: issued.user.id,
    sessionId: issued.sessionId,
    roles: issued.user.roles,
    factors: { enrolled: issued.claims.mfa?.e ?? [], next: mfa.next },
    redirectTo: verify ?? mfa.redirectTo ?? destination,
  }
}

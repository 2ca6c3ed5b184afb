import { getHeader, getRequestIP, type H3Event } from 'h3'
import type { Guard } from '../../core/engine/create-guard'
import type { IssuedSession, RequestOrigin } from '../../core/engine/sessions'
import { safeRedirectPath } from '../../core/policy/redirect'
import { writeSessionCookies } from './cookies'
import { guardSettings, useGuard } from './guard-instance'

/**
 * Runs a sign-in or sign-up, sets the session cookies and answers with the
 * new session, what comes next and where to go (a same-origin path only).
 *
 * @example
 * return startSession(event, body.redirect_url, (guard, origin) => guard.sessions.signIn(body, origin))
 */
export async function startSession(event: H3Event, redirectUrl: string | undefined, open: (guard: Guard, origin: RequestOrigin) => Promise<IssuedSession>) {
  const guard = await useGuard()
  const origin = { ip: getRequestIP(event), userAgent: getHeader(event, 'user-agent') }
  const issued = await open(guard, origin)
  guard.authenticator.remember(issued.token, issued.claims)
  writeSessionCookies(event, issued, guardSettings().cookieSecure)
  return {
    userId: issued.user.id,
    sessionId: issued.sessionId,
    roles: issued.user.roles,
    factors: { enrolled: [] as string[], next: [] as string[] },
    redirectTo: safeRedirectPath(redirectUrl, guard.live.policy.config.afterSignInUrl),
  }
}

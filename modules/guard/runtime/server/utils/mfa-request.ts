import { getRequestHost, type H3Event } from 'h3'
import type { Guard } from '../../core/engine/create-guard'
import type { IssuedToken } from '../../core/engine/sessions'
import { findUserById, type UserRecord } from '../../core/store/users'
import { requireEnrollmentRight } from '../../core/mfa/reenroll'
import { writeSessionCookies } from './cookies'
import { GuardError } from './errors'
import { guardPublicSettings, guardSettings, useGuard } from './guard-instance'
import { checkAuth } from './require-auth'

/** Who is asking an MFA endpoint, with the running guard. */
export interface MfaRequest { guard: Guard; user: UserRecord; userId: string; sessionId: string }

/** What an MFA or account endpoint asks of its caller beyond being signed in. */
export interface MfaRequestOptions {
  /**
   * The endpoint reads or changes the account (its sessions, devices or
   * factors): once the user has a second factor enrolled, this session must
   * have completed one, and the caller's own token must say so (a token copied
   * before the factor was completed does not count) — else 403 `mfa_required`.
   * `'enroll'` (the endpoints that set up a factor): the same, or a stranded
   * user's proof made with a switched-off factor in this session, which opens
   * enrollment only (see `requireEnrollmentRight`).
   * @default false
   */
  secondFactor?: boolean | 'enroll'
}

/**
 * The signed-in caller of an MFA or account endpoint (`defineAccountHandler`
 * calls it). The route's MFA rules are waived here (these endpoints are how a
 * user completes MFA), and so is `account.emailVerification: 'required'` (the
 * verify and change-email endpoints are among them; the account pages
 * themselves stay behind the verify page); 401 when signed out; with `secondFactor`, 403
 * `mfa_required` for a session that has not completed the second factor the
 * user has (the one definition every account and factor-management endpoint
 * uses). Throws GuardError; `defineGuardHandler` answers it.
 *
 * @example
 * const { guard, userId, sessionId } = await mfaRequest(event)
 * const { guard, userId } = await mfaRequest(event, { secondFactor: true }) // account endpoints
 */
export async function mfaRequest(event: H3Event, options: MfaRequestOptions = {}): Promise<MfaRequest> {
  const auth = await checkAuth(event, { mfa: false }, { emailVerificationExempt: true })
  const guard = await useGuard()
  const user = await findUserById(guard.db, auth.userId)
  if (!user) throw new GuardError('unauthenticated', 'This account no longer exists; sign in again.')
  const tokenFactors = auth.sessionClaims?.mfa?.c ?? {}
  if (options.secondFactor === 'enroll') await requireEnrollmentRight(guard.mfa, auth.sessionId, auth.userId, { factors: tokenFactors, issuedAt: auth.sessionClaims?.iat })
  else if (options.secondFactor) await guard.mfa.requireCompletedFactor(auth.sessionId, auth.userId, tokenFactors)
  return { guard, user, userId: auth.userId, sessionId: auth.sessionId }
}

/**
 * Adopts a reissued session token for this response: puts it in the cookie and the verified-token cache,
 * so the very next request sees the completed factor; a renewed session's
 * new refresh secret goes in the refresh cookie (the old one is void).
 *
 * @example
 * adoptIssuedToken(event, guard, issued)
 */
export function adoptIssuedToken(event: H3Event, guard: Guard, issued: IssuedToken): void {
  event.context.auth = guard.authenticator.remember(issued.token, issued.claims)
  writeSessionCookies(event, { token: issued.token, refreshToken: issued.refreshToken, expiresAt: issued.expiresAt }, guardSettings().cookieSecure)
}

/**
 * The issuer shown in authenticator apps: the application's name (`guard.appName`,
 * env `NUXT_PUBLIC_GUARD_APP_NAME`), else this site's host name.
 *
 * @example
 * totpIssuer(event) // 'app.example.com'
 */
export function totpIssuer(event: H3Event): string {
  return guardPublicSettings().appName?.trim() || getRequestHost(event, { xForwardedHost: false }).replace(/:\d+$/, '') || 'nuxt-guard'
}

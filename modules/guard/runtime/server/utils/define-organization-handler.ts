import { getRouterParam, type EventHandler, type EventHandlerRequest, type H3Event } from 'h3'
import type { ZodType } from 'zod'
import type { Guard } from '../../core/engine/create-guard'
import type { OrgActor } from '../../core/organizations/access'
import { clientAddress } from './client-address'
import { defineGuardHandler, readGuardBody } from './define-guard-handler'
import { GuardError } from './errors'
import { useGuard } from './guard-instance'
import { adoptIssuedToken } from './mfa-request'
import { checkAuth } from './require-auth'
import { requireEmailLink } from './email-links'

/** What every organization handler gets: the guard, the signed-in caller, their session, the body. */
export interface OrganizationContext<B> {
  guard: Guard
  userId: string
  sessionId: string
  /** The caller as the organization services take it: user id and client address (for the audit log). */
  actor: OrgActor
  /** The validated JSON body when the handler names a `body` schema, else `undefined`. */
  body: B
}

/**
 * An organization API handler (`/api/_guard/organizations/**`,
 * `/api/_guard/session/organization`) on `defineGuardHandler`: the body first
 * (422 naming the field), then the caller must be signed in and pass the live
 * config's global requirements like any protected route (MFA under
 * `mfa.enforce: 'all'`, a verified address under `account.emailVerification:
 * 'required'` — unlike the account endpoints, nothing is waived), and, once
 * the user has a second factor, this session must have completed it (403
 * `mfa_required`): these calls decide who may act in an organization. The
 * organization permission checks themselves are in core/organizations.
 *
 * @example
 * export default defineOrganizationHandler(async (event, { guard, actor, body }) => createOrganization(guard, actor, body), { body: createOrganizationSchema })
 */
export function defineOrganizationHandler<T, B = undefined>(
  handler: (event: H3Event, context: OrganizationContext<B>) => Promise<T> | T,
  options: { body?: ZodType<B> } = {},
): EventHandler<EventHandlerRequest, Promise<T>> {
  return defineGuardHandler(async (event) => {
    const body = options.body ? await readGuardBody(event, options.body) : undefined as B
    const auth = await checkAuth(event)
    const guard = await useGuard()
    await guard.mfa.requireCompletedFactor(auth.sessionId, auth.userId, auth.sessionClaims?.mfa?.c ?? {})
    return handler(event, { guard, userId: auth.userId, sessionId: auth.sessionId, actor: { userId: auth.userId, ip: clientAddress(event) }, body })
  })
}

/**
 * A required route parameter (`[id]`, `[userId]`, `[invitationId]` in the file name), decoded.
 *
 * @example
 * const orgId = orgRouteParam(event, 'id')
 */
export function orgRouteParam(event: H3Event, name: string): string {
  const value = getRouterParam(event, name, { decode: true })
  if (!value) throw new GuardError('invalid_request', `${name}: missing from the path`, { field: name })
  return value
}

/**
 * The absolute URL of the invitation acceptance page (`organizations.invitationUrl`
 * on this site's origin, see emailLink), which invitation emails link to with
 * `?token=…`; 500 `base_url_required` when the server cannot tell its origin.
 *
 * @example
 * orgInvitationUrl(event, guard) // 'https://app.example.com/org-invitation'
 */
export function orgInvitationUrl(event: H3Event, guard: Guard): string {
  return requireEmailLink(event, guard.live.policy.config.organizations.invitationUrl)
}

/**
 * Re-mints the caller's session at once after a change to what its token
 * carries (the active organization): a renewed session (new token, new
 * refresh secret) goes into the cookies and this request's auth, so the very
 * next request carries the change. Resolves to the new token's claims, or
 * `undefined` when the session has ended.
 *
 * @example
 * const claims = await renewCurrentSession(event, guard, sessionId)
 */
export async function renewCurrentSession(event: H3Event, guard: Guard, sessionId: string) {
  const renewed = await guard.sessions.renew(sessionId)
  if (!renewed) return undefined
  adoptIssuedToken(event, guard, renewed)
  return renewed.claims
}

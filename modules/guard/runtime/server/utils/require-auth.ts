import type { H3Event } from 'h3'
import type { RouteRequirement } from '../../core/config/schema'
import type { GuardAuth } from '../../core/policy/auth'
import { evaluateAccess } from '../../core/policy/decide'
import { guardError } from './errors'
import { useGuard } from './guard-instance'
import { resolveAuth } from './judge-request'
import { denialError } from './respond'

/**
 * Defence in depth inside a handler: re-checks sign-in, MFA and the given
 * roles or permissions against the live config, and throws a 401/403 H3
 * error (`data` = `{ error, error_description }`) when they do not hold.
 * `{ mfa: false }` waives the global MFA validators for this handler.
 *
 * @example
 * export default defineEventHandler(async (event) => {
 *   const auth = await requireAuth(event, { permissions: ['reports:read'] })
 *   return listReports(auth.userId)
 * })
 */
export async function requireAuth(event: H3Event, requirement: RouteRequirement = {}): Promise<GuardAuth & { userId: string; sessionId: string }> {
  const guard = await useGuard().catch(() => {
    throw guardError(503, 'temporarily_unavailable', 'The authentication service is starting or cannot reach its database; try again shortly.')
  })
  const auth = event.context.auth ?? (await resolveAuth(event, guard)).auth
  const verdict = evaluateAccess(guard.live.policy, { auth, rules: [], extra: requirement, nowSeconds: guard.now() / 1000 })
  // A stale second factor gets the step-up `mfa_token` here too, as from the middleware.
  if (!verdict.allow) throw await denialError(verdict, auth)
  return auth as GuardAuth & { userId: string; sessionId: string }
}

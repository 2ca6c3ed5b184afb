import type { H3Event } from 'h3'
import type { RouteRequirement } from '../../core/config/schema'
import type { GuardAuth } from '../../core/policy/auth'
import { evaluateAccess } from '../../core/policy/decide'
import { unavailableError } from './errors'
import { useGuard } from './guard-instance'
import { credentialsUnchecked, resolveAuth } from './judge-request'
import { denialError } from './respond'

/**
 * Defence in depth inside a handler: re-checks sign-in, MFA and the given
 * roles or permissions against the live config, and throws a 401/403 H3
 * error (`data` = `{ error, error_description }`) when they do not hold, or
 * 503 `temporarily_unavailable` when the session could not be checked
 * because the database or keys are unreachable.
 * `{ mfa: false }` waives the global MFA validators for this handler.
 *
 * @example
 * export default defineEventHandler(async (event) => {
 *   const auth = await requireAuth(event, { permissions: ['reports:read'] })
 *   return listReports(auth.userId)
 * })
 */
export async function requireAuth(event: H3Event, requirement: RouteRequirement = {}): Promise<GuardAuth & { userId: string; sessionId: string }> {
  const guard = await useGuard().catch((error) => {
    throw unavailableError(event, error)
  })
  const auth = event.context.auth ?? (await resolveAuth(event, guard)).auth
  // Credentials that could not be checked (storage down) are not "signed out".
  if (!auth.userId && credentialsUnchecked(event)) throw unavailableError(event)
  const verdict = evaluateAccess(guard.live.policy, { auth, rules: [], extra: requirement, nowSeconds: guard.now() / 1000 })
  // A stale second factor gets the step-up `mfa_token` here too, as from the middleware.
  if (!verdict.allow) throw await denialError(verdict, auth)
  return auth as GuardAuth & { userId: string; sessionId: string }
}

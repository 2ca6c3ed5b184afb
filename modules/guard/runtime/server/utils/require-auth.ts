import type { H3Event } from 'h3'
import type { RouteRequirement } from '../../core/config/schema'
import type { GuardAuth } from '../../core/policy/auth'
import { evaluateAccess } from '../../core/policy/decide'
import { isGuardError, toH3Error, unavailableError } from './errors'
import { useGuard } from './guard-instance'
import { credentialsUnchecked, resolveAuth } from './judge-request'
import { denialError } from './respond'
import { rendersItself } from '../../core/mfa/step-up-errors'

/** Who passed a check: signed in, with a session. */
export type SignedInAuth = GuardAuth & { userId: string; sessionId: string }

/**
 * Defence in depth inside a handler: re-checks sign-in, MFA and the given
 * roles or permissions against the live config, and throws a 401/403 H3
 * error (`data` = `{ error, error_description }`) when they do not hold, or
 * 503 `temporarily_unavailable` when the session could not be checked
 * because the database or keys are unreachable.
 * `{ mfa: false }` waives the global MFA validators for this handler.
 * A second factor older than `stepUp.maxAgeSeconds` throws `MfaRequiredError`
 * (Auth0's: `mfa_token`, `mfa_requirements`, `toJSON()`; uncaught, it answers
 * 403 with that body as `data`).
 *
 * @example
 * export default defineEventHandler(async (event) => {
 *   const auth = await requireAuth(event, { permissions: ['reports:read'] })
 *   return listReports(auth.userId)
 * })
 */
export async function requireAuth(event: H3Event, requirement: RouteRequirement = {}): Promise<SignedInAuth> {
  try {
    return await checkAuth(event, requirement)
  }
  catch (error) {
    // An app's own handler sends what it throws through Nitro's error handler: give it an H3 error
    // (MfaRequiredError is one already, and stays catchable as itself).
    throw isGuardError(error) && !rendersItself(error) ? toH3Error(event, error) : error
  }
}

/**
 * `requireAuth` for the guard's own API handlers: the same checks, throwing
 * the GuardError itself (`defineGuardHandler` answers it). With
 * `emailVerificationExempt`, an unverified address is not refused (the
 * account and MFA endpoints: verifying or correcting the address happens there).
 *
 * @example
 * const auth = await checkAuth(event, { mfa: false })
 * const auth = await checkAuth(event, { mfa: false }, { emailVerificationExempt: true })
 */
export async function checkAuth(event: H3Event, requirement: RouteRequirement = {}, options: { emailVerificationExempt?: boolean } = {}): Promise<SignedInAuth> {
  const guard = await useGuard().catch((error) => {
    throw unavailableError(error)
  })
  const auth = event.context.auth ?? (await resolveAuth(event, guard)).auth
  // Credentials that could not be checked (storage down) are not "signed out".
  if (!auth.userId && credentialsUnchecked(event)) throw unavailableError()
  const verdict = evaluateAccess(guard.live.policy, { auth, rules: [], extra: requirement, emailVerificationExempt: options.emailVerificationExempt, nowSeconds: guard.now() / 1000 })
  // A stale second factor gets the step-up `mfa_token` here too, as from the middleware.
  if (!verdict.allow) throw await denialError(verdict, auth)
  return auth as SignedInAuth
}

import { getQuery } from 'h3'
import { pathReadings } from '#guard/core/paths/canonicalize'
import { evaluateAccess } from '#guard/core/policy/decide'
import { denialBody } from '#guard/core/policy/denial'
import { GuardError } from '#guard/core/errors'
import { defineGuardHandler } from '#guard/server/utils/define-guard-handler'
import { getAuth } from '#guard/server/utils/get-auth'
import { useGuard } from '#guard/server/utils/guard-instance'
import { pageDenialRedirect } from '#guard/server/utils/respond'
import { requestOptions, requestRoute } from '#guard/server/utils/request-options'

/**
 * GET /api/_guard/verdict?path=/reports: how the server would judge a page
 * navigation for the current user, so client-side navigation follows the
 * live rules without a reload. The server stays the authority.
 */
export default defineGuardHandler(async (event) => {
  const path = getQuery(event).path
  if (typeof path !== 'string' || !path.startsWith('/')) throw new GuardError('invalid_request', 'path: give the page path to judge, such as /dashboard', { field: 'path' })
  const readings = pathReadings(path)
  if (!readings.ok) throw new GuardError('malformed_request', `path: ${readings.reason}`, { field: 'path' })
  const guard = await useGuard()
  const policy = guard.live.policy
  const route = requestRoute(event, policy.classify(readings.readings), readings.readings)
  if (route.kind !== 'protected') return { allow: true, version: policy.version }
  const verdict = evaluateAccess(policy, { auth: getAuth(event), rules: route.rules, mfaExempt: route.mfaExempt, emailVerificationExempt: route.verifyExempt, organizationExempt: route.orgExempt, nowSeconds: guard.now() / 1000 })
  if (verdict.allow) return { allow: true, version: policy.version }
  const redirect = await pageDenialRedirect(verdict, policy, path, getAuth(event), requestOptions(event)?.signInUrl)
  return { allow: false, version: policy.version, status: verdict.status, ...denialBody(verdict), redirect: redirect ?? null }
})

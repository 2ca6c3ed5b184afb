import { getQuery } from 'h3'
import { pathReadings } from '../../../core/paths/canonicalize'
import { evaluateAccess } from '../../../core/policy/decide'
import { denialBody } from '../../../core/policy/denial'
import { defineGuardHandler } from '../../utils/define-guard-handler'
import { guardError } from '../../utils/errors'
import { getAuth } from '../../utils/get-auth'
import { useGuard } from '../../utils/guard-instance'
import { pageDenialRedirect } from '../../utils/respond'

/**
 * GET /api/_guard/verdict?path=/reports: how the server would judge a page
 * navigation for the current user, so client-side navigation follows the
 * live rules without a reload. The server stays the authority.
 */
export default defineGuardHandler(async (event) => {
  const path = getQuery(event).path
  if (typeof path !== 'string' || !path.startsWith('/')) throw guardError(422, 'invalid_request', 'path: give the page path to judge, such as /dashboard', { field: 'path' })
  const readings = pathReadings(path)
  if (!readings.ok) throw guardError(400, 'invalid_request', `path: ${readings.reason}`, { field: 'path' })
  const guard = await useGuard()
  const policy = guard.live.policy
  const route = policy.classify(readings.readings)
  if (route.kind !== 'protected') return { allow: true, version: policy.version }
  const verdict = evaluateAccess(policy, { auth: getAuth(event), rules: route.rules, mfaExempt: route.mfaExempt, nowSeconds: guard.now() / 1000 })
  if (verdict.allow) return { allow: true, version: policy.version }
  const redirect = await pageDenialRedirect(verdict, policy, path, getAuth(event))
  return { allow: false, version: policy.version, status: verdict.status, ...denialBody(verdict), redirect: redirect ?? null }
})

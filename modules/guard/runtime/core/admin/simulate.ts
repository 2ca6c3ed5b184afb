import { pathReadings } from '../paths/canonicalize'
import type { FactorId, RouteRequirement } from '../config/schema'
import type { CompiledPolicy } from '../policy/compile'
import type { GuardAuth } from '../policy/auth'
import { evaluateAccess, type DenyCode } from '../policy/decide'
import { denialRedirect } from '../policy/denial'
import { simulatedAuth, type SimulatedUser } from './simulated-auth'
import type { Stranded } from '../mfa/stranded'
import { GuardError } from '../errors'

/** A request to judge without sending it. */
export interface SimulationRequest {
  method: string
  /** The raw path as a browser would send it (query allowed); judged over every reading, like the middleware. */
  path: string
  /** `null` or absent: anonymous. */
  user?: SimulatedUser | null
  /** The user has completed their second factor in this session. */
  mfa?: boolean
}

/** The simulator's answer, as `POST /api/_guard/admin/simulate` returns it. */
export interface SimulationAnswer {
  allow: boolean
  /** What the middleware answers: 200 = passed on to the page or handler; 302/303 = redirect; 401/403 = refused. */
  status: number
  error?: DenyCode
  reason: string
  route: 'ignored' | 'public' | 'protected'
  api: boolean
  /** `page`: the rule came from that page's `definePageMeta({ guard })`, not from `routes.rules`. */
  matchedRules: { index: number; pattern: string; require: RouteRequirement; page?: string }[]
  readings: string[]
  redirect?: string
  /** INVALID_CLAIMS / mfa_required: the factors that would satisfy the route. */
  factors?: FactorId[]
  /** mfa_reenrollment_required: the user's factors are all switched off; what proves it is them and what they must set up. */
  stranded?: Stranded
  /**
   * Protected routes, signed in: the active organization the request was judged with (its token
   * claims: id, slug, role and the role's permissions), or null for none (organization rules then
   * answer `organization_required`: the page goes to `organizations.orgSelectionUrl`).
   */
  organization?: { id: string; slug: string | null; role: string; permissions: string[] } | null
  version: number | 'draft'
}

export interface SimulationOptions {
  nowSeconds: number
  /** `'draft'` when judging an unsaved document. */
  version?: number | 'draft'
  /** `true`: answer the verdict's own status, never a redirect (the safety checks quote the verdict, not the HTTP answer). */
  verdictOnly?: boolean
}

/**
 * The path could not be judged at all: the middleware answers 400. The
 * simulator answers 422 `invalid_request` naming the field `path`.
 *
 * @example
 * try { simulateRequest(policy, { method: 'GET', path: '/%zz' }, { nowSeconds }) }
 * catch (error) { if (error instanceof UnjudgeablePathError) console.log(error.message) } // 'path: the middleware refuses this path with 400: …'
 */
export class UnjudgeablePathError extends GuardError {
  constructor(reason: string) { super('invalid_request', `path: ${reason}`, { field: 'path' }) }
}

const GUARD_API_PREFIX = '/api/_guard/'

/**
 * Judges a request the way the guard middleware would, with the same code:
 * `pathReadings` → `policy.classify` → `evaluateAccess`, and a denied page
 * goes where `denialRedirect` sends it (302 for GET/HEAD, 303 otherwise).
 * Throws `UnjudgeablePathError` for a path the middleware refuses with 400.
 *
 * @example
 * simulateRequest(policy, { method: 'GET', path: '/admin', user: null }, { nowSeconds: Date.now() / 1000 })
 * // { allow: false, status: 302, error: 'unauthenticated', redirect: '/sign-in?redirect_url=%2Fadmin', route: 'protected', matchedRules: [{ index: 0, pattern: '/admin/**', … }], … }
 */
export function simulateRequest(policy: CompiledPolicy, request: SimulationRequest, options: SimulationOptions): SimulationAnswer {
  const readings = pathReadings(request.path)
  if (!readings.ok) throw new UnjudgeablePathError(`the middleware refuses this path with 400: ${readings.reason}`)
  const version = options.version ?? policy.version
  const base = { readings: readings.readings, version }
  const route = policy.classify(readings.readings)
  if (route.kind === 'ignored') {
    return { ...base, allow: true, status: 200, reason: 'ignored route: the guard does no auth work here', route: 'ignored', api: false, matchedRules: [] }
  }
  if (route.kind === 'public') {
    const own = readings.readings.some(reading => reading.startsWith(GUARD_API_PREFIX))
    const reason = own
      ? 'the guard\'s own API: always reached; each handler checks for itself (admin routes need the admin role and, when MFA is on, a completed second factor)'
      : 'public route: anyone may request it; auth is resolved when signed in'
    return { ...base, allow: true, status: 200, reason, route: 'public', api: route.api, matchedRules: [] }
  }
  const auth = simulatedAuth(policy, request.user ?? null, Boolean(request.mfa), Math.floor(options.nowSeconds))
  const verdict = evaluateAccess(policy, { auth, rules: route.rules, mfaExempt: route.mfaExempt, emailVerificationExempt: route.verifyExempt, organizationExempt: route.orgExempt, nowSeconds: options.nowSeconds })
  const matchedRules = route.rules.map(({ index, pattern, require, page }) => (page ? { index, pattern, require, page } : { index, pattern, require }))
  const common = { ...base, route: 'protected' as const, api: route.api, matchedRules, ...organizationOf(auth) }
  if (verdict.allow) {
    const verifyPage = readings.readings.includes(policy.config.account.verifyEmailUrl.toLowerCase())
    const reason = !route.mfaExempt
      ? route.orgExempt ? `${verdict.reason} (organization page: organization requirements do not apply)` : verdict.reason
      : verifyPage
        ? `${verdict.reason} (verify-email page: email-verification and second-factor checks do not apply)`
        : `${verdict.reason} (MFA page: second-factor and email-verification checks do not apply)`
    return { ...common, allow: true, status: 200, reason }
  }
  const redirect = route.api || options.verdictOnly ? undefined : denialRedirect(verdict, policy, request.path)
  const get = request.method.toUpperCase() === 'GET' || request.method.toUpperCase() === 'HEAD'
  return {
    ...common,
    allow: false,
    status: redirect ? (get ? 302 : 303) : verdict.status,
    error: verdict.error,
    reason: verdict.reason,
    ...(redirect ? { redirect } : {}),
    ...(verdict.factors ? { factors: verdict.factors } : {}),
    ...(verdict.stranded ? { stranded: verdict.stranded } : {}),
  }
}

/** The organization a signed-in simulated request carried (none for an anonymous one). */
function organizationOf(auth: GuardAuth): Pick<SimulationAnswer, 'organization'> {
  if (!auth.userId) return {}
  return { organization: auth.orgId && auth.orgRole ? { id: auth.orgId, slug: auth.orgSlug, role: auth.orgRole, permissions: [...auth.orgPermissions] } : null }
}

import type { FactorId, RouteRequirement } from '../config/schema'
import { checkMfaRequirements, enrolledFirst, lastSecondFactorAt } from '../mfa/requirements'
import { isStranded, strandedBy, type Stranded } from '../mfa/stranded'
import { isOrgName, type GuardAuth } from './auth'
import type { CompiledPolicy, CompiledRule } from './compile'
import { requirementShortfall } from './requirement'

export type DenyCode = 'unauthenticated' | 'forbidden' | 'email_verification_required' | 'mfa_enrollment_required' | 'mfa_reenrollment_required' | 'INVALID_CLAIMS' | 'mfa_required' | 'organization_required'

export type Verdict =
  | { allow: true; reason: string; rules: readonly CompiledRule[] }
  | {
    allow: false
    status: 401 | 403
    error: DenyCode
    reason: string
    rules: readonly CompiledRule[]
    /** INVALID_CLAIMS / mfa_required: the factors that would satisfy the route. */
    factors?: FactorId[]
    /** mfa_required: the oldest acceptable second factor, in seconds. */
    maxAgeSeconds?: number
    /** mfa_reenrollment_required: every factor the user has is switched off; what proves it is them and what to set up. */
    stranded?: Stranded
  }

export interface AccessInput {
  auth: GuardAuth
  rules: readonly CompiledRule[]
  /** The route is an MFA enrollment or challenge page: global MFA validators do not apply. */
  mfaExempt?: boolean
  /**
   * The route is the verify-email page (or the guard's own account API): no
   * email-verification check applies there, or an unverified user could never verify.
   */
  emailVerificationExempt?: boolean
  /**
   * The route is the organization selection or invitation page (or an MFA
   * or verify-email page): no organization requirement applies there, or a
   * user without an active organization could never choose one.
   */
  organizationExempt?: boolean
  /** An extra requirement from `requireAuth(event, requirement)`; it may waive MFA with `mfa: false`. */
  extra?: RouteRequirement
  nowSeconds: number
}

const deny = (status: 401 | 403, error: DenyCode, reason: string, rules: readonly CompiledRule[], more?: Partial<Verdict>): Verdict =>
  ({ allow: false, status, error, reason, rules, ...more }) as Verdict

/**
 * Judges a signed-in (or not) request against the rules that matched its
 * path. Pure: the same input always gives the same verdict, so the simulator
 * and the middleware cannot disagree.
 *
 * @example
 * const verdict = evaluateAccess(policy, { auth, rules: route.rules, nowSeconds: Date.now() / 1000 })
 * if (!verdict.allow) console.log(verdict.status, verdict.error, verdict.reason)
 */
export function evaluateAccess(policy: CompiledPolicy, input: AccessInput): Verdict {
  const { auth, rules, extra } = input
  if (!auth.userId) return deny(401, 'unauthenticated', 'not signed in', rules)
  // A missing role or permission refuses at once; a missing organization only after the address and MFA (chosen last, as Clerk's session task).
  let needsOrganization: string | undefined
  for (const rule of rules) {
    const refusal = checkRolesAndPermissions(policy, auth, rule.require, rules, input.organizationExempt, rule)
    if (typeof refusal === 'string') needsOrganization ??= refusal
    else if (refusal) return refusal
  }
  if (extra) {
    const refusal = checkRolesAndPermissions(policy, auth, extra, rules, input.organizationExempt)
    if (typeof refusal === 'string') needsOrganization ??= refusal
    else if (refusal) return refusal
  }
  // The address before the second factor: the verify page is exempt from both, so neither can send the user in circles.
  if (!input.emailVerificationExempt && auth.sessionClaims?.email_verified !== true) {
    const refusal = checkEmailVerified(policy, rules, extra)
    if (refusal) return refusal
  }
  if (policy.config.mfa.enforce !== 'off') {
    const refusal = evaluateMfa(policy, input, extra ? [...rules.map(rule => rule.require), extra] : rules.map(rule => rule.require))
    if (refusal) return refusal
  }
  if (needsOrganization) return deny(403, 'organization_required', needsOrganization, rules)
  return rules.length ? { allow: true, reason: ALLOWED_BY_RULES, rules } : { allow: true, reason: ALLOWED, rules }
}

const ALLOWED = 'signed in'
const ALLOWED_BY_RULES = 'signed in and every matched rule is satisfied'

/**
 * `source` is the rule being checked, or absent for requireAuth()'s own requirement; labels are built only on refusal.
 * A refusal, or the reason an active organization is needed (a string), or `undefined` when met.
 * With organizations switched off no organization can ever be chosen: an organization requirement then refuses as forbidden.
 */
function checkRolesAndPermissions(policy: CompiledPolicy, auth: GuardAuth, require: RouteRequirement, rules: readonly CompiledRule[], organizationExempt?: boolean, source?: CompiledRule): Verdict | string | undefined {
  // The common rules (no role or permission; site roles or a list of site permissions, held) cost no allocation.
  const { roles, permissions } = require
  if (!require.organization && !require.orgRoles && !require.orgPermissions) {
    if (!permissions) { if (!roles || hasAnyRole(auth, roles)) return undefined }
    else if (!roles && Array.isArray(permissions) && hasEveryPermission(auth, permissions)) return undefined
  }
  const shortfall = requirementShortfall(auth, require, organizationExempt)
  if (!shortfall) return undefined
  if (shortfall.kind === 'organization' && policy.config.organizations.enabled) return `${label(source)} ${shortfall.reason}`
  const off = shortfall.kind === 'organization' ? ' (organizations are switched off: organizations.enabled)' : ''
  return deny(403, 'forbidden', `${label(source)} ${shortfall.reason}${off}`, rules)
}

/**
 * An unverified address (the token's reserved `email_verified` claim is not
 * `true`): refused when `account.emailVerification` is `required`, or a
 * matched rule (or requireAuth()) demands `emailVerified: true`.
 */
function checkEmailVerified(policy: CompiledPolicy, rules: readonly CompiledRule[], extra?: RouteRequirement): Verdict | undefined {
  if (policy.config.account.emailVerification === 'required') {
    return deny(403, 'email_verification_required', 'email address not verified (account.emailVerification is "required")', rules)
  }
  const demanding = rules.find(rule => rule.require.emailVerified)
  if (demanding || extra?.emailVerified) {
    return deny(403, 'email_verification_required', `email address not verified; ${label(demanding)} needs a verified address`, rules)
  }
  return undefined
}

const label = (source?: CompiledRule) => (source ? `rule ${source.pattern}` : 'requireAuth()')

/** Fast paths only: an `org:` name is never met here (requirementShortfall judges it against the active organization). */
function hasAnyRole(auth: GuardAuth, roles: readonly string[]): boolean {
  for (const role of roles) if (!isOrgName(role) && auth.roles.includes(role)) return true
  return false
}

function hasEveryPermission(auth: GuardAuth, permissions: readonly string[]): boolean {
  for (const permission of permissions) if (isOrgName(permission) || !auth.permissions.has(permission)) return false
  return true
}

function evaluateMfa(policy: CompiledPolicy, input: AccessInput, requirements: RouteRequirement[]): Verdict | undefined {
  const { mfa } = policy.config
  const { auth, rules, nowSeconds } = input
  // Enrollment and challenge pages must stay reachable, or nobody could ever complete MFA.
  if (input.mfaExempt) return undefined
  const waived = input.extra?.mfa === false || (requirements.some(r => r.mfa === false) && !requirements.some(r => r.mfa === true))
  const demanded = requirements.some(r => r.mfa === true)
  const required = demanded || (mfa.enforce === 'all' && !waived)
  const stepUpAges = requirements.flatMap(r => (r.stepUp ? [r.stepUp.maxAgeSeconds] : []))
  if (!required && !stepUpAges.length) return undefined

  const claim = auth.sessionClaims?.mfa
  const enrolled = claim?.e ?? []
  if (!enrolled.length) {
    return deny(403, 'mfa_enrollment_required', 'second factor required; none enrolled', rules)
  }
  // Factors, but all switched off: nothing they hold can count, so they must set up an allowed one first.
  if (isStranded(enrolled, mfa.strategies)) {
    const stranded = strandedBy(enrolled, mfa)!
    return deny(403, 'mfa_reenrollment_required', `second factor required; every enrolled one is switched off (${stranded.switchedOff.join(', ')})`, rules, { factors: stranded.enroll, stranded })
  }
  const completed = claim?.c ?? {}
  const check = checkMfaRequirements(mfa.requirements, completed, mfa.strategies)
  if (required && !check.satisfied) {
    const factors = enrolledFirst(check.next, enrolled)
    return deny(403, 'INVALID_CLAIMS', `second factor not completed in this session (${factors.join(' or ')})`, rules, { factors })
  }
  if (stepUpAges.length) {
    const maxAgeSeconds = Math.min(...stepUpAges)
    // Only factors whose strategy is on count: switching one off applies to the very next request.
    const last = lastSecondFactorAt(Object.fromEntries(Object.entries(completed).filter(([factor]) => mfa.strategies[factor as FactorId])))
    if (last === undefined || nowSeconds - last > maxAgeSeconds) {
      return deny(403, 'mfa_required', `second factor older than ${maxAgeSeconds} s`, rules, { factors: enrolled.filter(factor => mfa.strategies[factor]), maxAgeSeconds })
    }
  }
  return undefined
}

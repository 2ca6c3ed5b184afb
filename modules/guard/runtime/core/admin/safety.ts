import type { ConfigIssue } from '../config/validate'
import type { FactorId, GuardConfig } from '../config/schema'
import type { CompiledPolicy, CompiledRule } from '../policy/compile'
import { evaluateAccess, type Verdict } from '../policy/decide'
import { ADMIN_ROLE, consoleMfaDenial, DEFAULT_CONSOLE_PATH } from './console-access'
import { ENROLLABLE_FACTORS, simulatedAuth, type SimulatedUser } from './simulated-auth'
import { simulateRequest, type SimulationAnswer } from './simulate'
import { checkVerifyPageReachable } from './verify-page-safety'
import { checkOrganizationRules } from './org-safety'
import { permissionSet } from '../policy/requirement'

export { ADMIN_ROLE }

const ADMIN: SimulatedUser = { userId: 'user_safety_check', roles: [ADMIN_ROLE], enrolled: [] }

/**
 * Refuses a config that would lock people out, judged with the real policy
 * code on the compiled candidate: (1) an admin who completed MFA must reach
 * the console page (`consolePath`, the module's `console.path`; '' = no
 * console pages) and the admin API; (2) anonymous users must reach the sign-in and
 * sign-up pages; (3) while MFA is enforced (or a rule demands it) at least one
 * enrollable strategy must be on, and every MFA requirement must be satisfiable;
 * admins must reach the MFA pages to enroll or complete a factor; (4) while
 * an address must be verified (account.emailVerification "required", or a
 * rule demanding emailVerified), a new unverified user must reach the
 * verify-email page (`checkVerifyPageReachable`); (5) rules that need an
 * active organization need organizations switched on and a selection page a
 * member without one reaches (`checkOrganizationRules`). An admin sent to
 * choose an organization on the way to the console is not locked out: an
 * admin can always create one.
 * Each issue names the field to change and how.
 *
 * @example
 * const issues = checkConfigSafety(compilePolicy(candidate, 0), Date.now() / 1000, '/ops/guard')
 * // [{ path: 'routes.rules.0.require.roles', message: 'admins would be refused GET /ops/guard … add "admin" …' }]
 */
export function checkConfigSafety(policy: CompiledPolicy, nowSeconds: number, consolePath: string = DEFAULT_CONSOLE_PATH): ConfigIssue[] {
  const mfaIssues = checkMfaUsable(policy.config)
  const issues = [...mfaIssues, ...checkAuthPagesReachable(policy, nowSeconds), ...checkVerifyPageReachable(policy, nowSeconds), ...checkOrganizationRules(policy, nowSeconds), ...checkAdminsNotLockedOut(policy, nowSeconds, consolePath, mfaIssues.length > 0)]
  const seen = new Set<string>()
  return issues.filter(issue => !seen.has(`${issue.path}\n${issue.message}`) && Boolean(seen.add(`${issue.path}\n${issue.message}`)))
}

/**
 * (3) Strategies and requirements. Only enrollable strategies count: recovery
 * codes come with another factor. Requirements matter even with enforcement
 * off: rules may demand MFA, and the console demands them of every admin who
 * has enrolled a factor.
 */
function checkMfaUsable(config: GuardConfig): ConfigIssue[] {
  const { enforce, strategies, requirements } = config.mfa
  const demandingRules = config.routes.rules.filter(rule => rule.require.mfa === true || rule.require.stepUp)
  const enrollable = ENROLLABLE_FACTORS.filter(factor => strategies[factor])
  const why = enforce !== 'off'
    ? `mfa.enforce is "${enforce}"`
    : demandingRules.length ? `rule ${demandingRules[0]!.pattern} demands a second factor` : undefined
  if (!enrollable.length) {
    if (!why) return []
    return [{
      path: 'mfa.strategies',
      message: `no second factor could be enrolled while ${why}: everyone would be locked out. Turn on at least one of ${ENROLLABLE_FACTORS.join(', ')}`
        + (enforce !== 'off' ? ', or set mfa.enforce to "off" first.' : ', or remove the MFA demand from that rule.'),
    }]
  }
  const issues: ConfigIssue[] = []
  requirements.forEach((requirement, index) => {
    const options: FactorId[] = typeof requirement === 'string' ? [requirement] : 'oneOf' in requirement ? requirement.oneOf : requirement.allOfInAnyOrder
    if (options.some(factor => strategies[factor])) return
    issues.push({
      path: `mfa.requirements.${index}`,
      message: `this requirement can never be met while ${why ?? 'admins who enrolled a second factor need it for the console'}: ${options.join(', ')} ${options.length > 1 ? 'are all' : 'is'} switched off. `
        + `Turn on ${options.length > 1 ? 'one of them' : 'that strategy'} in mfa.strategies, or change the requirement to use ${enrollable.join(' or ')}.`,
    })
  })
  return issues
}

/** (2) The sign-in and sign-up pages, judged for an anonymous visitor. */
function checkAuthPagesReachable(policy: CompiledPolicy, nowSeconds: number): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  for (const [field, label] of [['signInUrl', 'sign-in'], ['signUpUrl', 'sign-up']] as const) {
    const path = policy.config[field]
    const answer = simulateRequest(policy, { method: 'GET', path, user: null }, { nowSeconds, verdictOnly: true })
    if (answer.allow) continue
    issues.push({
      path: answer.matchedRules[0] ? `routes.rules.${answer.matchedRules[0].index}.pattern` : field,
      message: `the ${label} page ${path} would be closed to anonymous visitors (${answer.status} ${answer.error}: ${answer.reason}), so nobody could ${label === 'sign-in' ? 'sign in' : 'sign up'}. `
        + `Keep ${path} public: remove it from the rule, or point ${field} at a public page.`,
    })
  }
  return issues
}

/** (1) The console page and the admin API for an admin who completed MFA; the MFA pages for one who has not yet. */
function checkAdminsNotLockedOut(policy: CompiledPolicy, nowSeconds: number, consolePath: string, mfaAlreadyReported: boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const mfaCaused = (error?: string) => error === 'mfa_enrollment_required' || error === 'INVALID_CLAIMS' || error === 'mfa_required'
  const page = consolePath ? simulateRequest(policy, { method: 'GET', path: consolePath, user: ADMIN, mfa: true }, { nowSeconds, verdictOnly: true }) : undefined
  // organization_required: the console sends the admin to choose (or create) an organization first, and back; not a lock-out.
  if (page && !page.allow && page.error !== 'organization_required' && !(mfaAlreadyReported && mfaCaused(page.error))) issues.push(lockOutIssue(policy, page, `GET ${consolePath}`, nowSeconds))

  const auth = simulatedAuth(policy, ADMIN, true, nowSeconds)
  const api = adminApiVerdict(policy, auth, nowSeconds)
  if (!api.allow && !mfaAlreadyReported) {
    issues.push({ path: 'mfa.requirements', message: `admins who completed MFA would be refused the admin API (${api.error}: ${api.reason}). Make mfa.requirements satisfiable with the strategies that are on.` })
  }

  if (policy.config.mfa.enforce !== 'off') {
    const { enrollUrl, challengeUrl } = policy.config.mfa
    for (const [path, field, user] of [[enrollUrl, 'mfa.enrollUrl', ADMIN], [challengeUrl, 'mfa.challengeUrl', { ...ADMIN, enrolled: ENROLLABLE_FACTORS }]] as const) {
      const answer = simulateRequest(policy, { method: 'GET', path, user, mfa: false }, { nowSeconds, verdictOnly: true })
      if (!answer.allow) issues.push(lockOutIssue(policy, answer, `the MFA page ${path} (${field})`, nowSeconds, 'before completing MFA'))
    }
  }
  return issues
}

/** What the admin API answers (requireAdmin's rules): the admin role via evaluateAccess, then the console's MFA rule. */
function adminApiVerdict(policy: CompiledPolicy, auth: ReturnType<typeof simulatedAuth>, nowSeconds: number): Verdict {
  const verdict = evaluateAccess(policy, { auth, rules: [], extra: { roles: [ADMIN_ROLE] }, nowSeconds })
  const denial = verdict.allow ? consoleMfaDenial(policy.config.mfa, auth.sessionClaims?.mfa) : undefined
  if (!denial) return verdict
  const reason = denial.error === 'INVALID_CLAIMS' ? 'the MFA requirements cannot be met with the strategies that are on' : 'no second factor can be enrolled with the strategies that are on'
  return { allow: false, status: 403, error: denial.error, reason, rules: [] }
}

/** Names the rule that refuses the admin (judged one rule at a time, roles and permissions) and what to change in it. */
function lockOutIssue(policy: CompiledPolicy, answer: SimulationAnswer, what: string, nowSeconds: number, when = 'after completing MFA'): ConfigIssue {
  const auth = simulatedAuth(policy, ADMIN, when.startsWith('after'), nowSeconds)
  const culprit = answer.matchedRules
    // Roles and permissions only: MFA refusals are reported on the MFA fields.
    .map(rule => ({ rule: rule as CompiledRule, verdict: evaluateAccess(policy, { auth, rules: [rule as CompiledRule], mfaExempt: true, nowSeconds }) }))
    .find(({ verdict }) => !verdict.allow)
  const refused = `admins would be refused ${what} ${when} (${answer.error}: ${answer.reason}), locking everyone out of the console.`
  if (!culprit) return { path: 'mfa', message: `${refused} Check mfa.enforce and mfa.requirements.` }
  const { index, pattern, require } = culprit.rule
  if (require.roles && !require.roles.includes(ADMIN_ROLE)) {
    return { path: `routes.rules.${index}.require.roles`, message: `${refused} Add "${ADMIN_ROLE}" to the roles of rule ${pattern}, or narrow its pattern.` }
  }
  if (require.permissions) {
    const missing = permissionSet(require.permissions)!.names.filter(permission => !auth.has({ permission }))
    return { path: `routes.rules.${index}.require.permissions`, message: `${refused} Grant ${missing.join(', ')} to the "${ADMIN_ROLE}" role in roles.${ADMIN_ROLE}, or remove ${missing.length > 1 ? 'them' : 'it'} from rule ${pattern}.` }
  }
  return { path: `routes.rules.${index}.require`, message: `${refused} Change the requirement of rule ${pattern}.` }
}

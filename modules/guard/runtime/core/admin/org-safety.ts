import type { ConfigIssue } from '../config/validate'
import type { CompiledPolicy } from '../policy/compile'
import { needsOrganization } from '../policy/requirement'
import { simulateRequest } from './simulate'
import type { SimulatedUser } from './simulated-auth'

/** Who is sent to the selection page: a signed-in member with a verified address and MFA done, but no active organization. */
const MEMBER_WITHOUT_ORGANIZATION: SimulatedUser = { userId: 'user_safety_check_no_org', roles: ['member'], enrolled: [], organization: null }

/**
 * Safety check (5), for rules that need an active organization
 * (`organization`, `orgRoles`, `orgPermissions`, or an `org:` role or
 * permission): (a) organizations must be switched on, or nobody could ever
 * choose one and every such rule refuses everyone; (b) the page they send
 * people to (`organizations.orgSelectionUrl`) must be a page of its own (not
 * the sign-in, sign-up, MFA or verify-email page) and a signed-in member
 * without an organization must reach it, judged with the real policy code:
 * no rule on it may demand a role or permission a plain member lacks (the
 * page is exempt from the organization requirements themselves, so an
 * organization rule never catches it). Each issue names the field to change.
 *
 * @example
 * checkOrganizationRules(compilePolicy({ ...config, routes: { ...routes, rules: [{ pattern: '/**', require: { organization: true } }] } }, 0), now)
 * // [{ path: 'routes.rules.0.require', message: 'rule /** needs an active organization, but organizations are switched off … ' }]
 */
export function checkOrganizationRules(policy: CompiledPolicy, nowSeconds: number): ConfigIssue[] {
  const { config } = policy
  const index = config.routes.rules.findIndex(rule => needsOrganization(rule.require))
  if (index < 0) return []
  const rule = config.routes.rules[index]!
  if (!config.organizations.enabled) {
    return [{
      path: `routes.rules.${index}.require`,
      message: `rule ${rule.pattern} needs an active organization, but organizations are switched off (organizations.enabled), so nobody could ever meet it. Turn organizations on, or remove the organization requirement from the rule.`,
    }]
  }
  const path = config.organizations.orgSelectionUrl
  const why = `rule ${rule.pattern} sends users without an active organization there`
  const taken = ([['signInUrl', config.signInUrl], ['signUpUrl', config.signUpUrl], ['mfa.enrollUrl', config.mfa.enrollUrl], ['mfa.challengeUrl', config.mfa.challengeUrl], ['account.verifyEmailUrl', config.account.verifyEmailUrl]] as const)
    .find(([, url]) => url.toLowerCase() === path.toLowerCase())
  if (taken) {
    return [{ path: 'organizations.orgSelectionUrl', message: `the organization selection page ${path} is also ${taken[0]}: ${why}, so it needs a page of its own. Point organizations.orgSelectionUrl at another path, such as /org-selection.` }]
  }
  const answer = simulateRequest(policy, { method: 'GET', path, user: MEMBER_WITHOUT_ORGANIZATION, mfa: true }, { nowSeconds, verdictOnly: true })
  if (answer.allow) return []
  const culprit = answer.matchedRules.find(matched => matched.require.roles || matched.require.permissions)
  const field = culprit ? `routes.rules.${culprit.index}.require.${culprit.require.roles ? 'roles' : 'permissions'}` : 'organizations.orgSelectionUrl'
  return [{
    path: field,
    message: `the organization selection page ${path} would be closed to a signed-in member without an organization (${answer.status} ${answer.error}: ${answer.reason}) while ${why}, so they could never choose one. `
      + (culprit ? `Narrow the pattern of rule ${culprit.pattern} so it leaves ${path} out, or drop its ${culprit.require.roles ? 'roles' : 'permissions'}.` : 'Point organizations.orgSelectionUrl at a page signed-in users reach.'),
  }]
}

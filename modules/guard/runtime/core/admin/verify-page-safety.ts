import type { ConfigIssue } from '../config/validate'
import type { CompiledPolicy } from '../policy/compile'
import { simulateRequest } from './simulate'
import type { SimulatedUser } from './simulated-auth'

/** Who meets the verify-email page first: a new account (sign-up gives `member`), address not verified, no second factor. */
const NEW_UNVERIFIED_USER: SimulatedUser = { userId: 'user_safety_check_unverified', roles: ['member'], enrolled: [], emailVerified: false }

/**
 * Safety check (4): while an address must be verified
 * (`account.emailVerification: 'required'`, or a rule demanding
 * `emailVerified`), the verify-email page (`account.verifyEmailUrl`) must be a
 * page of its own (not the sign-in, sign-up or an MFA page) and a new user
 * whose address is not verified must reach it, judged with the real policy
 * code: no rule on it may demand a role or permission a new account lacks.
 * (The page is exempt from the email-verification and MFA checks themselves,
 * so a rule demanding `emailVerified` or `mfa` never catches it.)
 * Each issue names the field to change.
 *
 * @example
 * checkVerifyPageReachable(compilePolicy({ ...config, routes: { ...routes, rules: [{ pattern: '/**', require: { roles: ['staff'] } }] } }, 0), now)
 * // [{ path: 'routes.rules.0.require.roles', message: 'the verify-email page /verify-email would be closed to new users … ' }]
 */
export function checkVerifyPageReachable(policy: CompiledPolicy, nowSeconds: number): ConfigIssue[] {
  const { config } = policy
  const demandingRule = config.routes.rules.find(rule => rule.require.emailVerified)
  const why = config.account.emailVerification === 'required'
    ? 'account.emailVerification is "required"'
    : demandingRule && `rule ${demandingRule.pattern} demands a verified address`
  if (!why) return []
  const path = config.account.verifyEmailUrl
  const taken = ([['signInUrl', config.signInUrl], ['signUpUrl', config.signUpUrl], ['mfa.enrollUrl', config.mfa.enrollUrl], ['mfa.challengeUrl', config.mfa.challengeUrl]] as const)
    .find(([, url]) => url.toLowerCase() === path.toLowerCase())
  if (taken) {
    return [{ path: 'account.verifyEmailUrl', message: `the verify-email page ${path} is also ${taken[0]}: while ${why}, unverified users need a page of its own. Point account.verifyEmailUrl at another path, such as /verify-email.` }]
  }
  const answer = simulateRequest(policy, { method: 'GET', path, user: NEW_UNVERIFIED_USER, mfa: false }, { nowSeconds, verdictOnly: true })
  if (answer.allow) return []
  const rule = answer.matchedRules.find(matched => matched.require.roles || matched.require.permissions)
  const field = rule ? `routes.rules.${rule.index}.require.${rule.require.roles ? 'roles' : 'permissions'}` : 'account.verifyEmailUrl'
  return [{
    path: field,
    message: `the verify-email page ${path} would be closed to a new user whose address is not verified (${answer.status} ${answer.error}: ${answer.reason}) while ${why}, so nobody new could ever get in. `
      + (rule ? `Narrow the pattern of rule ${rule.pattern} so it leaves ${path} out, or drop its ${rule.require.roles ? 'roles' : 'permissions'}.` : `Point account.verifyEmailUrl at a page signed-in users reach.`),
  }]
}

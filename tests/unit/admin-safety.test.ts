/**
 * Safety checks on a candidate config: nothing that would lock the admins out
 * of the console, close sign-in, or leave MFA impossible to complete.
 */
import { describe, expect, it } from 'vitest'
import { ADMIN_ROLE, checkConfigSafety } from '../../modules/guard/runtime/core/admin/safety'
import { reviewConfig } from '../../modules/guard/runtime/core/admin/review'
import type { GuardConfigInput } from '../../modules/guard/runtime/core/config/schema'
import type { CompiledPolicy } from '../../modules/guard/runtime/core/policy/compile'
import { NOW_S, BASIC_ROUTES, basicConfig, policyOf } from '../support/admin-policy'

const issuesOf = (input: GuardConfigInput) => checkConfigSafety(policyOf(input), NOW_S)
type RuleInput = NonNullable<NonNullable<GuardConfigInput['routes']>['rules']>
const withRules = (rules: RuleInput, more: GuardConfigInput = {}) =>
  basicConfig({ routes: { ...BASIC_ROUTES, rules }, ...more })

describe('safe configs pass', () => {
  it('the defaults, the basic fixture and MFA enforced with the default strategies', () => {
    expect(issuesOf({})).toEqual([])
    expect(issuesOf(basicConfig())).toEqual([])
    expect(issuesOf(basicConfig({ mfa: { enforce: 'all' } }))).toEqual([])
    expect(issuesOf(withRules([{ pattern: '/admin/**', require: { roles: ['admin'], mfa: true, stepUp: { maxAgeSeconds: 300 } } }], { mfa: { enforce: 'rules' } }))).toEqual([])
  })

  it('every strategy off is fine while nothing demands MFA', () => {
    expect(issuesOf(basicConfig({ mfa: { enforce: 'off', strategies: { totp: false, recovery_code: false, email_code: false, webauthn: false } } }))).toEqual([])
  })
})

describe('admin lock-out', () => {
  it('refuses a rule on /admin that demands a role admins lack, naming the rule and the fix', () => {
    const issues = issuesOf(withRules([{ pattern: '/admin/**', require: { roles: ['superadmin'] } }]))
    expect(issues).toEqual([{ path: 'routes.rules.0.require.roles', message: expect.stringMatching(/admins would be refused GET \/admin.*Add "admin"/) }])
  })

  it('refuses a catch-all rule for members only, and a permission the admin role does not have', () => {
    expect(issuesOf(withRules([{ pattern: '/public/**', require: {} }, { pattern: '/**', require: { roles: ['member'] } }])))
      .toEqual([expect.objectContaining({ path: 'routes.rules.1.require.roles' })])
    const missing = issuesOf(withRules([{ pattern: '/admin', require: { permissions: ['guard:admin', 'console:write'] } }]))
    expect(missing).toEqual([{ path: 'routes.rules.0.require.permissions', message: expect.stringContaining('Grant console:write to the "admin" role in roles.admin') }])
  })

  it('refuses taking the permission away from the admin role instead', () => {
    const issues = issuesOf(withRules([{ pattern: '/admin/**', require: { permissions: ['guard:admin'] } }], { roles: { admin: [], member: [] } }))
    expect(issues.map(issue => issue.path)).toEqual(['routes.rules.0.require.permissions'])
  })

  it('refuses a rule that keeps admins off the MFA enrollment page while MFA is enforced', () => {
    const rules = [{ pattern: '/account/**', require: { roles: ['member'] } }]
    expect(issuesOf(withRules(rules))).toEqual([])
    const issues = issuesOf(withRules(rules, { mfa: { enforce: 'all' } }))
    expect(issues).toEqual([{ path: 'routes.rules.0.require.roles', message: expect.stringContaining('/account/manage-mfa/add') }])
  })
})

describe('MFA that could never be completed', () => {
  const allOff = { totp: false, recovery_code: false, email_code: false, webauthn: false }

  it('refuses switching off the last enrollable strategy while enforcement is on, once, at mfa.strategies', () => {
    const issues = issuesOf(basicConfig({ mfa: { enforce: 'all', strategies: { ...allOff, recovery_code: true } } }))
    expect(issues).toEqual([{ path: 'mfa.strategies', message: expect.stringMatching(/locked out.*Turn on at least one of totp, email_code, webauthn.*mfa\.enforce/) }])
  })

  it('refuses a rule demanding MFA when no strategy is on, even with enforcement off', () => {
    const issues = issuesOf(withRules([{ pattern: '/billing/**', require: { mfa: true } }], { mfa: { strategies: allOff } }))
    expect(issues).toEqual([{ path: 'mfa.strategies', message: expect.stringContaining('rule /billing/** demands a second factor') }])
  })

  it('refuses an unsatisfiable requirement even with enforcement off: admins with a factor need it for the console', () => {
    const issues = issuesOf(basicConfig({ mfa: { enforce: 'off', requirements: ['email_code'] } }))
    expect(issues).toEqual([{ path: 'mfa.requirements.0', message: expect.stringContaining('admins who enrolled a second factor need it for the console') }])
  })

  it('refuses a requirement whose every factor is switched off, pointing at the requirement', () => {
    const issues = issuesOf(basicConfig({ mfa: { enforce: 'rules', requirements: ['totp', { oneOf: ['email_code', 'webauthn'] }], strategies: { webauthn: false } } }))
    expect(issues).toEqual([{ path: 'mfa.requirements.1', message: expect.stringMatching(/can never be met.*email_code, webauthn are all switched off.*totp/) }])
  })
})

describe('sign-in and sign-up stay reachable', () => {
  it('the compiled policy keeps them public even under a catch-all rule', () => {
    expect(issuesOf(withRules([{ pattern: '/**', require: { roles: ['admin'] } }]))).toEqual([])
  })

  it('refuses a policy that would protect them (judged through policy.classify)', () => {
    const real = policyOf(basicConfig())
    const closed: CompiledPolicy = { ...real, classify: readings => readings.includes('/sign-up') ? { kind: 'protected', api: false, rules: [], mfaExempt: false } : real.classify(readings) }
    expect(checkConfigSafety(closed, NOW_S)).toEqual([{ path: 'signUpUrl', message: expect.stringContaining('nobody could sign up') }])
  })
})

describe('reviewConfig', () => {
  it('sorts a document into invalid, unsafe or ok', () => {
    expect(reviewConfig({ routes: { public: ['/users/:id'] } }, NOW_S)).toMatchObject({ ok: false, kind: 'invalid', fields: [{ path: 'routes.public.0' }] })
    expect(reviewConfig(withRules([{ pattern: '/admin/**', require: { roles: ['ops'] } }]), NOW_S)).toMatchObject({ ok: false, kind: 'unsafe' })
    expect(reviewConfig(basicConfig(), NOW_S)).toMatchObject({ ok: true, config: { routes: { rules: BASIC_ROUTES.rules } } })
  })
})

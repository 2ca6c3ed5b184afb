import { describe, expect, it } from 'vitest'
import type { MfaRequirement } from '../../modules/guard/runtime/core/config/schema'
import { checkMfaRequirements, lastSecondFactorAt } from '../../modules/guard/runtime/core/mfa/requirements'
import type { SessionClaims } from '../../modules/guard/runtime/core/policy/auth'
import { evaluateAccess } from '../../modules/guard/runtime/core/policy/decide'
import { NOW, TOTP_AT, ALLOWED, ALLOWED_BY_RULES, NOT_ENROLLED, enrolledOnly, totpDone, policyOf, classify, claims, judge, outcome } from '../support/policy'

describe('evaluateAccess: MFA', () => {
  const adminRule = { pattern: '/admin/**', require: { roles: ['admin'], mfa: true } }

  it('enforce off ignores mfa: true rules', () => {
    const policy = policyOf({ mfa: { enforce: 'off' }, routes: { rules: [adminRule] } })
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['admin'] })))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['admin'], mfa: enrolledOnly() })))).toEqual(ALLOWED_BY_RULES)
  })

  describe('enforce all', () => {
    const policy = policyOf({ mfa: { enforce: 'all' } })

    it('no factor enrolled (no mfa claim, or e: []) → 403 mfa_enrollment_required', () => {
      expect(outcome(judge(policy, '/dashboard', claims()))).toEqual(NOT_ENROLLED)
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: { c: {}, v: false, e: [] } })))).toEqual(NOT_ENROLLED)
    })

    it('enrolled but not completed → 403 INVALID_CLAIMS naming the enrolled factors first', () => {
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: enrolledOnly(['webauthn']) })))).toEqual({
        allow: false, status: 403, error: 'INVALID_CLAIMS',
        reason: 'second factor not completed in this session (webauthn or totp)', factors: ['webauthn', 'totp'],
      })
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: enrolledOnly(['totp']) })))).toMatchObject({
        error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'],
      })
    })

    it('unenrolled factors keep the config order after the enrolled ones', () => {
      const policy = policyOf({ mfa: { enforce: 'all', requirements: [{ oneOf: ['totp', 'recovery_code', 'webauthn'] }] } })
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: enrolledOnly(['webauthn']) })))).toMatchObject({
        error: 'INVALID_CLAIMS', factors: ['webauthn', 'totp', 'recovery_code'],
      })
    })

    it('completed per the requirements → allow', () => {
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: totpDone })))).toEqual(ALLOWED)
      const webauthnDone = { c: { webauthn: TOTP_AT }, v: true, e: ['totp' as const, 'webauthn' as const] }
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: webauthnDone })))).toEqual(ALLOWED)
    })

    it('a factor outside the requirements does not satisfy them', () => {
      const recoveryOnly = { c: { recovery_code: TOTP_AT }, v: false, e: ['totp' as const, 'recovery_code' as const] }
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: recoveryOnly })))).toMatchObject({
        error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'],
      })
    })

    it('the 401 for anonymous comes before any MFA verdict', () => {
      expect(outcome(judge(policy, '/dashboard', null))).toMatchObject({ status: 401, error: 'unauthenticated' })
    })
  })

  it('a rule with mfa: false, or requireAuth({ mfa: false }), waives enforce all', () => {
    const policy = policyOf({ mfa: { enforce: 'all' }, routes: { rules: [{ pattern: '/status/**', require: { mfa: false } }] } })
    expect(outcome(judge(policy, '/status/live', claims()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/dashboard', claims(), { extra: { mfa: false } }))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/dashboard', claims()))).toEqual(NOT_ENROLLED)
  })

  it('a rule with mfa: true beats another rule\'s mfa: false (and requireAuth\'s)', () => {
    const policy = policyOf({ mfa: { enforce: 'all' }, routes: { rules: [
      { pattern: '/admin/**', require: { mfa: false } },
      { pattern: '/admin/keys/**', require: { mfa: true } },
    ] } })
    const member = claims({ mfa: enrolledOnly() })
    expect(outcome(judge(policy, '/admin/overview', member))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/admin/keys/1', member))).toMatchObject({ status: 403, error: 'INVALID_CLAIMS' })
    expect(outcome(judge(policy, '/admin/keys/1', member, { extra: { mfa: false } }))).toMatchObject({ status: 403, error: 'INVALID_CLAIMS' })
    expect(outcome(judge(policy, '/admin/keys/1', claims({ mfa: totpDone })))).toEqual(ALLOWED_BY_RULES)
  })

  it('enforce rules applies MFA only where a rule says mfa: true', () => {
    const policy = policyOf({ mfa: { enforce: 'rules' }, routes: { rules: [adminRule, { pattern: '/reports/**', require: { mfa: false } }] } })
    const admin = (mfa?: SessionClaims['mfa']) => claims({ roles: ['admin'], mfa })
    expect(outcome(judge(policy, '/dashboard', admin()))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/reports/q3', admin()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/admin/users', admin()))).toEqual(NOT_ENROLLED)
    expect(outcome(judge(policy, '/admin/users', admin(enrolledOnly())))).toMatchObject({ status: 403, error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'] })
    expect(outcome(judge(policy, '/admin/users', admin(totpDone)))).toEqual(ALLOWED_BY_RULES)
  })

  it('the enroll and challenge pages skip the global validator', () => {
    const policy = policyOf({ mfa: { enforce: 'all' } })
    expect(outcome(judge(policy, '/mfa-challenge', claims({ mfa: enrolledOnly() })))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/account/manage-mfa/add', claims()))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/mfa-challenge', null))).toMatchObject({ status: 401, error: 'unauthenticated' })
  })

  it('on the enroll page a matching rule keeps its roles but not its MFA or step-up demands', () => {
    const policy = policyOf({
      mfa: { enforce: 'rules' },
      routes: { rules: [{ pattern: '/account/**', require: { roles: ['member'], mfa: true, stepUp: { maxAgeSeconds: 60 } } }] },
    })
    expect(classify(policy, '/account/manage-mfa/add')).toMatchObject({ kind: 'protected', mfaExempt: true, rules: [{ pattern: '/account/**' }] })
    expect(outcome(judge(policy, '/account/manage-mfa/add', claims()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/account/manage-mfa/add', claims({ roles: ['guest'] })))).toMatchObject({ status: 403, error: 'forbidden' })
    expect(outcome(judge(policy, '/account/settings', claims()))).toEqual(NOT_ENROLLED)
  })

  it('a disabled strategy cannot satisfy a requirement', () => {
    const policy = policyOf({ mfa: { enforce: 'all', strategies: { totp: false } } })
    // With webauthn enrolled too (TOTP alone switched off would leave them stranded: see policy-stranded.test.ts).
    expect(outcome(judge(policy, '/dashboard', claims({ mfa: { ...totpDone, e: ['totp', 'webauthn'] } })))).toEqual({
      allow: false, status: 403, error: 'INVALID_CLAIMS',
      reason: 'second factor not completed in this session (webauthn)', factors: ['webauthn'],
    })
  })

  describe('step-up', () => {
    const policy = policyOf({ mfa: { enforce: 'all' }, routes: { rules: [
      { pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 900 } } },
      { pattern: '/billing/payouts/**', require: { stepUp: { maxAgeSeconds: 300 } } },
      { pattern: '/settings/**', require: { stepUp: { maxAgeSeconds: 600 } } },
    ] } })
    const both = { c: { totp: TOTP_AT }, v: true, e: ['totp' as const, 'webauthn' as const] }

    it('a second factor older than the smallest matched maxAgeSeconds → 403 mfa_required', () => {
      const verdict = judge(policy, '/billing/payouts/7', claims({ mfa: both }))
      expect(outcome(verdict)).toEqual({
        allow: false, status: 403, error: 'mfa_required', reason: 'second factor older than 300 s',
        factors: ['totp', 'webauthn'], maxAgeSeconds: 300,
      })
      expect(verdict.rules.map(rule => rule.index)).toEqual([0, 1])
    })

    it('a second factor fresh enough → allow', () => {
      expect(outcome(judge(policy, '/billing/invoices', claims({ mfa: both })))).toEqual(ALLOWED_BY_RULES)
    })

    it('exactly maxAgeSeconds old is still fresh; one second more is not', () => {
      expect(outcome(judge(policy, '/settings/keys', claims({ mfa: both }), { now: TOTP_AT + 600 }))).toEqual(ALLOWED_BY_RULES)
      expect(outcome(judge(policy, '/settings/keys', claims({ mfa: both }), { now: TOTP_AT + 601 }))).toMatchObject({
        error: 'mfa_required', maxAgeSeconds: 600,
      })
    })

    it('the most recent completion counts', () => {
      const later = { c: { totp: TOTP_AT, webauthn: NOW - 60 }, v: true, e: ['totp' as const, 'webauthn' as const] }
      expect(outcome(judge(policy, '/billing/payouts/7', claims({ mfa: later })))).toEqual(ALLOWED_BY_RULES)
    })

    it('applies under enforce rules without mfa: true; never completed → mfa_required, none enrolled → enrollment', () => {
      const rulesOnly = policyOf({ mfa: { enforce: 'rules' }, routes: { rules: [
        { pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 300 } } },
      ] } })
      expect(outcome(judge(rulesOnly, '/billing/x', claims({ mfa: enrolledOnly() })))).toEqual({
        allow: false, status: 403, error: 'mfa_required', reason: 'second factor older than 300 s', factors: ['totp'], maxAgeSeconds: 300,
      })
      expect(outcome(judge(rulesOnly, '/billing/x', claims()))).toEqual(NOT_ENROLLED)
      expect(outcome(judge(rulesOnly, '/billing/x', claims({ mfa: totpDone }), { now: TOTP_AT + 120 }))).toEqual(ALLOWED_BY_RULES)
    })

    it('mfa_required lists only enrolled factors whose strategy is on', () => {
      const enrolled = { c: { totp: TOTP_AT }, v: true, e: ['totp' as const, 'email_code' as const] }
      expect(outcome(judge(policy, '/billing/payouts/7', claims({ mfa: enrolled })))).toMatchObject({
        error: 'mfa_required', factors: ['totp'], maxAgeSeconds: 300,
      })
    })

    it('a recent completion of a disabled strategy does not refresh step-up', () => {
      // email_code is off by default; TOTP was completed an hour ago.
      const rulesOnly = policyOf({ mfa: { enforce: 'rules' }, routes: { rules: [
        { pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 300 } } },
      ] } })
      const stale = { c: { totp: NOW - 3_600, email_code: NOW - 10 }, v: true, e: ['totp' as const, 'email_code' as const] }
      expect(outcome(judge(rulesOnly, '/billing/x', claims({ mfa: stale })))).toEqual({
        allow: false, status: 403, error: 'mfa_required', reason: 'second factor older than 300 s', factors: ['totp'], maxAgeSeconds: 300,
      })
    })
  })
})

describe('checkMfaRequirements', () => {
  const allOn = { totp: true, recovery_code: true, email_code: true, webauthn: true }
  const check = (requirements: MfaRequirement[], completed: Record<string, number>, enabled = allOn) =>
    checkMfaRequirements(requirements, completed, enabled)

  it('a factor id needs that factor', () => {
    expect(check(['totp'], { totp: TOTP_AT })).toEqual({ satisfied: true, next: [] })
    expect(check(['totp'], { webauthn: TOTP_AT })).toEqual({ satisfied: false, next: ['totp'] })
  })

  it('oneOf needs any listed factor', () => {
    expect(check([{ oneOf: ['totp', 'webauthn'] }], { webauthn: TOTP_AT })).toEqual({ satisfied: true, next: [] })
    expect(check([{ oneOf: ['totp', 'webauthn'] }], { recovery_code: TOTP_AT })).toEqual({ satisfied: false, next: ['totp', 'webauthn'] })
  })

  it('allOfInAnyOrder needs every listed factor, and next lists only the missing ones', () => {
    const requirement: MfaRequirement = { allOfInAnyOrder: ['totp', 'email_code', 'webauthn'] }
    expect(check([requirement], { email_code: 2, totp: 1, webauthn: 3 })).toEqual({ satisfied: true, next: [] })
    expect(check([requirement], { email_code: 2 })).toEqual({ satisfied: false, next: ['totp', 'webauthn'] })
  })

  it('several entries are AND-ed; next covers only the first unmet one', () => {
    const requirements: MfaRequirement[] = ['totp', { oneOf: ['email_code', 'webauthn'] }]
    expect(check(requirements, {})).toEqual({ satisfied: false, next: ['totp'] })
    expect(check(requirements, { totp: 1 })).toEqual({ satisfied: false, next: ['email_code', 'webauthn'] })
    expect(check(requirements, { webauthn: 1 })).toEqual({ satisfied: false, next: ['totp'] })
    expect(check(requirements, { totp: 1, webauthn: 2 })).toEqual({ satisfied: true, next: [] })
  })

  it('no requirements are always satisfied', () => {
    expect(check([], {})).toEqual({ satisfied: true, next: [] })
  })

  it('a disabled strategy neither satisfies nor is offered', () => {
    const totpOff = { ...allOn, totp: false }
    expect(check(['totp'], { totp: 1 }, totpOff)).toEqual({ satisfied: false, next: [] })
    expect(check([{ oneOf: ['totp', 'webauthn'] }], { totp: 1 }, totpOff)).toEqual({ satisfied: false, next: ['webauthn'] })
  })
})

describe('lastSecondFactorAt', () => {
  it('is the most recent completion time, or undefined', () => {
    expect(lastSecondFactorAt({ totp: 100, email_code: 250, webauthn: 200 })).toBe(250)
    expect(lastSecondFactorAt({})).toBe(undefined)
  })
})

/**
 * The address check in the policy, decided from the token alone: the
 * reserved `email_verified` claim against `account.emailVerification` and
 * rules demanding `emailVerified`; the verify page exempt (and from MFA), the
 * page redirect with its return path, the sign-in destination, the
 * simulator's explanation and the safety checks.
 */
import { describe, expect, it } from 'vitest'
import { checkConfigSafety } from '../../modules/guard/runtime/core/admin/safety'
import { simulateRequest } from '../../modules/guard/runtime/core/admin/simulate'
import { signedInAuth } from '../../modules/guard/runtime/core/policy/auth'
import { denialBody, denialRedirect, type Denial } from '../../modules/guard/runtime/core/policy/denial'
import { nextMfaStep } from '../../modules/guard/runtime/core/policy/next-mfa-step'
import { emailVerificationStep } from '../../modules/guard/runtime/core/policy/verify-step'
import { ALLOWED, ALLOWED_BY_RULES, NOT_ENROLLED, NOW, claims, judge, outcome, policyOf } from '../support/policy'

const UNVERIFIED = { allow: false, status: 403, error: 'email_verification_required', reason: 'email address not verified (account.emailVerification is "required")' }
const unverified = (more = {}) => claims({ email_verified: false, ...more })
const verified = (more = {}) => claims({ email_verified: true, ...more })

describe('account.emailVerification', () => {
  const required = policyOf({ account: { emailVerification: 'required' } })

  it('"required": an unverified token (or one minted before the claim existed) is refused with 403 email_verification_required; a verified one passes', () => {
    expect(outcome(judge(required, '/dashboard', unverified()))).toEqual(UNVERIFIED)
    expect(outcome(judge(required, '/dashboard', claims()))).toEqual(UNVERIFIED)
    // Only the boolean true counts: a string or 1 is not a verified address.
    expect(outcome(judge(required, '/dashboard', claims({ email_verified: 'true' as unknown as boolean })))).toEqual(UNVERIFIED)
    expect(outcome(judge(required, '/dashboard', verified()))).toEqual(ALLOWED)
  })

  it('"optional" and "off" never refuse an unverified address by themselves', () => {
    for (const emailVerification of ['optional', 'off'] as const) {
      expect(outcome(judge(policyOf({ account: { emailVerification } }), '/dashboard', unverified()))).toEqual(ALLOWED)
    }
  })

  it('the verify page is exempt from the address check and from MFA; its rules\' roles still apply', () => {
    expect(outcome(judge(required, '/verify-email', unverified()))).toEqual(ALLOWED)
    const mfaToo = policyOf({ account: { emailVerification: 'required' }, mfa: { enforce: 'all' } })
    expect(outcome(judge(mfaToo, '/verify-email', unverified()))).toEqual(ALLOWED)
    // Every reading must be the verify page: a path that also reads as another page is judged as that one.
    expect(outcome(judge(required, '/verify-email/../dashboard', unverified()))).toMatchObject({ error: 'email_verification_required' })
    const staffOnly = policyOf({ account: { emailVerification: 'required' }, routes: { rules: [{ pattern: '/**', require: { roles: ['staff'] } }] } })
    expect(outcome(judge(staffOnly, '/verify-email', unverified()))).toMatchObject({ error: 'forbidden' })
  })

  it('the address comes before the second factor (the verify page then leads on to MFA, which does not send back)', () => {
    const both = policyOf({ account: { emailVerification: 'required' }, mfa: { enforce: 'all' } })
    expect(outcome(judge(both, '/dashboard', unverified()))).toEqual(UNVERIFIED)
    expect(outcome(judge(both, '/dashboard', verified()))).toEqual(NOT_ENROLLED)
    // The MFA pages do not send an unverified user back to the verify page.
    expect(outcome(judge(both, '/account/manage-mfa/add', unverified()))).toEqual(ALLOWED)
  })

  it('roles are judged first: a forbidden page stays forbidden', () => {
    const policy = policyOf({ account: { emailVerification: 'required' }, routes: { rules: [{ pattern: '/admin/**', require: { roles: ['admin'] } }] } })
    expect(outcome(judge(policy, '/admin/x', unverified()))).toMatchObject({ error: 'forbidden' })
  })
})

describe('a rule requiring emailVerified', () => {
  const policy = policyOf({ routes: { rules: [{ pattern: '/billing/**', require: { emailVerified: true } }] } })

  it('refuses an unverified address on its routes only, naming the rule', () => {
    expect(outcome(judge(policy, '/billing/plan', unverified()))).toEqual({
      allow: false, status: 403, error: 'email_verification_required', reason: 'email address not verified; rule /billing/** needs a verified address',
    })
    expect(outcome(judge(policy, '/BILLING/%70lan', unverified()))).toMatchObject({ error: 'email_verification_required' })
    expect(outcome(judge(policy, '/billing/plan', verified()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/dashboard', unverified()))).toEqual(ALLOWED)
  })

  it('a rule on every path never catches the verify page', () => {
    const everywhere = policyOf({ routes: { rules: [{ pattern: '/**', require: { emailVerified: true } }] } })
    expect(outcome(judge(everywhere, '/dashboard', unverified()))).toMatchObject({ error: 'email_verification_required' })
    expect(outcome(judge(everywhere, '/verify-email', unverified()))).toEqual(ALLOWED_BY_RULES)
  })

  it('requireAuth({ emailVerified: true }) demands it too; the guard\'s own account API is exempt', () => {
    expect(outcome(judge(policyOf(), '/dashboard', unverified(), { extra: { emailVerified: true } }))).toMatchObject({ error: 'email_verification_required', reason: expect.stringContaining('requireAuth()') })
  })
})

describe('where a refused page goes', () => {
  const required = policyOf({ account: { emailVerification: 'required', verifyEmailUrl: '/welcome/verify' } })
  const denial = judge(required, '/reports?year=2026', unverified()) as Denial

  it('the verify page with the path and query to return to; the API body names the code', () => {
    expect(denialRedirect(denial, required, '/reports?year=2026')).toBe('/welcome/verify?redirect_url=%2Freports%3Fyear%3D2026')
    expect(denialBody(denial)).toEqual({ error: 'email_verification_required', error_description: expect.stringMatching(/^Verify your email address to continue.*\(email address not verified/) })
  })

  it('after sign-in or sign-up: the verify page before the destination when it needs a verified address, not otherwise', () => {
    const auth = signedInAuth(unverified(), required.permissionsFor(['member']))
    expect(emailVerificationStep(required, auth, '/reports', NOW)).toBe('/welcome/verify?redirect_url=%2Freports')
    expect(emailVerificationStep(required, signedInAuth(verified(), new Set()), '/reports', NOW)).toBeUndefined()
    expect(emailVerificationStep(required, auth, '/', NOW)).toBeUndefined() // a public destination
    expect(emailVerificationStep(required, auth, '/welcome/verify', NOW)).toBeUndefined()
    const optional = policyOf({ routes: { rules: [{ pattern: '/billing/**', require: { emailVerified: true } }] } })
    expect(emailVerificationStep(optional, auth, '/pricing', NOW)).toBeUndefined()
    expect(emailVerificationStep(optional, auth, '/billing/x', NOW)).toBe('/verify-email?redirect_url=%2Fbilling%2Fx')
  })

  it('the MFA step is still computed for an unverified user (it comes after the address)', () => {
    const both = policyOf({ account: { emailVerification: 'required' }, mfa: { enforce: 'rules' }, routes: { rules: [{ pattern: '/vault/**', require: { mfa: true } }] } })
    const auth = signedInAuth(unverified(), both.permissionsFor(['member']))
    expect(nextMfaStep(both, auth, '/vault/1', NOW)).toEqual({ next: ['totp', 'webauthn'], redirectTo: '/account/manage-mfa/add?redirect_url=%2Fvault%2F1' })
  })
})

describe('the simulator and the safety checks', () => {
  const required = policyOf({ account: { emailVerification: 'required' } })
  const user = (emailVerified?: boolean) => ({ userId: 'user_1', roles: ['member'], enrolled: [], emailVerified })

  it('explains the refusal of an unverified user and the redirect; the verify page is let through and says why', () => {
    expect(simulateRequest(required, { method: 'GET', path: '/dashboard', user: user(false) }, { nowSeconds: NOW })).toMatchObject({
      allow: false, status: 302, error: 'email_verification_required', redirect: '/verify-email?redirect_url=%2Fdashboard', reason: expect.stringContaining('not verified'),
    })
    expect(simulateRequest(required, { method: 'GET', path: '/api/x', user: user(false) }, { nowSeconds: NOW })).toMatchObject({ status: 403, error: 'email_verification_required' })
    expect(simulateRequest(required, { method: 'GET', path: '/verify-email', user: user(false) }, { nowSeconds: NOW })).toMatchObject({ allow: true, reason: expect.stringContaining('verify-email page') })
    expect(simulateRequest(required, { method: 'GET', path: '/dashboard', user: user(true) }, { nowSeconds: NOW })).toMatchObject({ allow: true })
  })

  it('safe: required verification, and a rule demanding it on every path (the verify page is exempt)', () => {
    expect(checkConfigSafety(required, NOW)).toEqual([])
    expect(checkConfigSafety(policyOf({ routes: { rules: [{ pattern: '/**', require: { emailVerified: true } }] } }), NOW)).toEqual([])
  })

  it('unsafe: a role rule closing the verify page to new users, or the verify page on the sign-in page', () => {
    const closed = checkConfigSafety(policyOf({ account: { emailVerification: 'required' }, routes: { rules: [{ pattern: '/verify-email', require: { roles: ['staff'] } }] } }), NOW)
    expect(closed).toEqual([expect.objectContaining({ path: 'routes.rules.0.require.roles', message: expect.stringContaining('the verify-email page /verify-email would be closed') })])
    const onSignIn = checkConfigSafety(policyOf({ account: { emailVerification: 'required', verifyEmailUrl: '/sign-in' } }), NOW)
    expect(onSignIn).toEqual([expect.objectContaining({ path: 'account.verifyEmailUrl', message: expect.stringContaining('also signInUrl') })])
    // Not required and no rule demands it: nothing to check.
    expect(checkConfigSafety(policyOf({ account: { verifyEmailUrl: '/sign-in' } }), NOW)).toEqual([])
  })
})

/**
 * Stranded users: every second factor they have is switched off. The policy
 * tells them apart from users without a factor (mfa_enrollment_required) and
 * from users who still have one that is on (unaffected); the 403 carries its
 * own code and says what to do; pages go to the challenge; the simulator
 * shows it for one user.
 */
import { describe, expect, it } from 'vitest'
import { simulateRequest } from '../../modules/guard/runtime/core/admin/simulate'
import { isStranded, strandedBy, strandedDetails, strandedExplanation } from '../../modules/guard/runtime/core/mfa/stranded'
import { nextMfaStep } from '../../modules/guard/runtime/core/policy/next-mfa-step'
import { denialBody, denialRedirect } from '../../modules/guard/runtime/core/policy/denial'
import { signedInAuth } from '../../modules/guard/runtime/core/policy/auth'
import type { FactorId } from '../../modules/guard/runtime/core/config/schema'
import { NOT_ENROLLED, NOW, claims, judge, outcome, policyOf } from '../support/policy'

const ALL_ON = { totp: true, recovery_code: true, email_code: true, webauthn: true }
const EMAIL_OFF = { ...ALL_ON, email_code: false }
const enrolled = (e: FactorId[], c: Record<string, number> = {}) => claims({ mfa: { c, v: false, e } })
const policy = policyOf({ mfa: { enforce: 'all', strategies: EMAIL_OFF, requirements: [{ oneOf: ['totp', 'webauthn', 'email_code'] }] } })

describe('isStranded / strandedBy', () => {
  it('has factors, none of them on (recovery codes do not count either way)', () => {
    expect(isStranded(['email_code'], EMAIL_OFF)).toBe(true)
    expect(isStranded(['email_code', 'recovery_code'], EMAIL_OFF)).toBe(true)
    expect(isStranded(['email_code', 'totp', 'recovery_code'], EMAIL_OFF)).toBe(false)
    expect(isStranded(['email_code'], ALL_ON)).toBe(false)
  })

  it('no factor at all is "not enrolled", not stranded; recovery codes alone are not a factor', () => {
    expect(isStranded([], EMAIL_OFF)).toBe(false)
    expect(isStranded(['recovery_code'], { ...ALL_ON, recovery_code: false })).toBe(false)
  })

  it('names the switched-off factors, what proves it is them, and what to set up (the requirements\' factors that are on)', () => {
    expect(strandedBy(['email_code', 'recovery_code'], { strategies: EMAIL_OFF, requirements: [{ oneOf: ['totp', 'webauthn'] }] }))
      .toEqual({ switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] })
    expect(strandedBy(['webauthn', 'email_code'], { strategies: { ...ALL_ON, webauthn: false, email_code: false }, requirements: ['totp'] }))
      .toEqual({ switchedOff: ['webauthn', 'email_code'], prove: ['webauthn', 'email_code'], enroll: ['totp'] })
    expect(strandedBy(['email_code', 'totp'], { strategies: EMAIL_OFF, requirements: [] })).toBeUndefined()
  })

  it('explains it in one sentence a person can act on', () => {
    expect(strandedExplanation({ switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] }))
      .toBe('Email code, your only second factor, has been switched off on this site. Confirm it is you with Email code or a recovery code, then set up Authenticator app or Passkey to continue.')
    expect(strandedExplanation({ switchedOff: ['webauthn', 'email_code'], prove: ['webauthn', 'email_code'], enroll: ['totp'] }))
      .toMatch(/^Passkey and Email code, your only second factors, have been switched off/)
  })
})

describe('evaluateAccess: a stranded user', () => {
  it('→ 403 mfa_reenrollment_required, with the factors to set up and what proves it is them', () => {
    const verdict = judge(policy, '/dashboard', enrolled(['email_code', 'recovery_code']))
    expect(outcome(verdict)).toEqual({
      allow: false, status: 403, error: 'mfa_reenrollment_required',
      reason: 'second factor required; every enrolled one is switched off (email_code)', factors: ['totp', 'webauthn'],
    })
    expect(verdict.allow === false && verdict.stranded).toEqual({ switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] })
  })

  it('a completed switched-off factor (or a recovery code) does not make them pass: they must set up an allowed one', () => {
    expect(judge(policy, '/dashboard', enrolled(['email_code'], { email_code: NOW - 5 }))).toMatchObject({ allow: false, error: 'mfa_reenrollment_required' })
    const recoveryCounts = policyOf({ mfa: { enforce: 'all', strategies: EMAIL_OFF, requirements: [{ oneOf: ['totp', 'recovery_code'] }] } })
    expect(judge(recoveryCounts, '/dashboard', enrolled(['email_code', 'recovery_code'], { recovery_code: NOW - 5 }))).toMatchObject({ allow: false, error: 'mfa_reenrollment_required' })
  })

  it('once an allowed factor is set up and completed they pass; the switched-off one keeps not counting', () => {
    expect(outcome(judge(policy, '/dashboard', enrolled(['totp', 'email_code'], { totp: NOW - 5 })))).toEqual({ allow: true, reason: 'signed in' })
    expect(judge(policy, '/dashboard', enrolled(['totp', 'email_code'], { email_code: NOW - 5 }))).toMatchObject({ allow: false, error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'] })
  })

  it('a user with another factor that is on is unaffected; one with no factor is "not enrolled"', () => {
    expect(judge(policy, '/dashboard', enrolled(['email_code', 'totp']))).toMatchObject({ allow: false, error: 'INVALID_CLAIMS' })
    expect(outcome(judge(policy, '/dashboard', enrolled([])))).toEqual(NOT_ENROLLED)
  })

  it('under enforce "rules" only routes that need a second factor stop them', () => {
    const rules = policyOf({ mfa: { enforce: 'rules', strategies: EMAIL_OFF }, routes: { rules: [{ pattern: '/billing/**', require: { mfa: true } }] } })
    expect(judge(rules, '/dashboard', enrolled(['email_code']))).toMatchObject({ allow: true })
    expect(judge(rules, '/billing/x', enrolled(['email_code']))).toMatchObject({ allow: false, error: 'mfa_reenrollment_required' })
  })
})

describe('the answer', () => {
  const verdict = judge(policy, '/dashboard?tab=1', enrolled(['email_code', 'recovery_code']))
  if (verdict.allow) throw new Error('expected a denial')

  it('API: the documented body shape, with its own code, the explanation and mfa_requirements', () => {
    expect(denialBody(verdict)).toEqual({
      error: 'mfa_reenrollment_required',
      error_description: 'Email code, your only second factor, has been switched off on this site. Confirm it is you with Email code or a recovery code, then set up Authenticator app or Passkey to continue. (second factor required; every enrolled one is switched off (email_code))',
      ...strandedDetails(verdict.stranded!),
    })
    expect(strandedDetails(verdict.stranded!)).toEqual({
      mfa_requirements: { challenge: [{ type: 'email_code' }, { type: 'recovery_code' }], enroll: [{ type: 'totp' }, { type: 'webauthn' }] },
      switched_off: ['email_code'],
    })
  })

  it('pages: to the challenge page (to prove it is them), keeping the return path; sign-in sends them there too', () => {
    expect(denialRedirect(verdict, policy, '/dashboard?tab=1')).toBe('/mfa-challenge?redirect_url=%2Fdashboard%3Ftab%3D1')
    const auth = signedInAuth(enrolled(['email_code']), new Set())
    expect(nextMfaStep(policy, auth, '/dashboard', NOW)).toEqual({ next: ['email_code'], redirectTo: '/mfa-challenge?redirect_url=%2Fdashboard' })
  })

  it('the simulator shows it for one user, against the live config or a draft', () => {
    const user = { userId: 'user_bo', roles: ['member'], enrolled: ['email_code', 'recovery_code'] as FactorId[] }
    expect(simulateRequest(policy, { method: 'GET', path: '/dashboard', user, mfa: true }, { nowSeconds: NOW })).toMatchObject({
      allow: false, status: 302, error: 'mfa_reenrollment_required', redirect: '/mfa-challenge?redirect_url=%2Fdashboard',
      stranded: { switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] },
    })
    const withTotp = { ...user, enrolled: ['email_code', 'totp'] as FactorId[] }
    expect(simulateRequest(policy, { method: 'GET', path: '/dashboard', user: withTotp, mfa: true }, { nowSeconds: NOW })).toMatchObject({ allow: true })
  })
})

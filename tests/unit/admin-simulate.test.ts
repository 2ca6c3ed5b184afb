/**
 * The simulator answers what the middleware would: same readings, same
 * classification, same evaluateAccess — including the spellings an attacker
 * would try, MFA states and redirects.
 */
import { describe, expect, it } from 'vitest'
import { simulateRequest, UnjudgeablePathError, type SimulationRequest } from '../../modules/guard/runtime/core/admin/simulate'
import type { CompiledPolicy } from '../../modules/guard/runtime/core/policy/compile'
import { NOW_S, basicConfig, policyOf } from '../support/admin-policy'

const admin = { userId: 'user_admin', roles: ['admin'], enrolled: [] }
const member = { userId: 'user_member', roles: ['member'], enrolled: [] }

const simulate = (policy: CompiledPolicy, request: Partial<SimulationRequest> & { path: string }) =>
  simulateRequest(policy, { method: 'GET', ...request }, { nowSeconds: NOW_S })

describe('simulateRequest on the basic fixture config', () => {
  const policy = policyOf(basicConfig(), 7)

  it('sends an anonymous page request to sign-in (302 for GET, 303 for POST) and names the matched rule', () => {
    const answer = simulate(policy, { path: '/admin/users?tab=2' })
    expect(answer).toMatchObject({
      allow: false, status: 302, error: 'unauthenticated', route: 'protected', api: false, version: 7,
      redirect: '/sign-in?redirect_url=%2Fadmin%2Fusers%3Ftab%3D2',
      matchedRules: [{ index: 0, pattern: '/admin/**', require: { roles: ['admin'] } }],
    })
    expect(simulate(policy, { path: '/admin', method: 'POST' }).status).toBe(303)
  })

  it('answers an anonymous API request with 401 and never a redirect', () => {
    const answer = simulate(policy, { path: '/api/secret' })
    expect(answer).toMatchObject({ allow: false, status: 401, error: 'unauthenticated', api: true, matchedRules: [] })
    expect(answer.redirect).toBeUndefined()
  })

  it('refuses a member the admin pages with 403 forbidden and the role it needs; lets the admin through', () => {
    expect(simulate(policy, { path: '/admin', user: member })).toMatchObject({ allow: false, status: 403, error: 'forbidden', reason: expect.stringContaining('admin') })
    expect(simulate(policy, { path: '/admin', user: admin })).toMatchObject({ allow: true, status: 200, reason: expect.stringContaining('rule') })
    expect(simulate(policy, { path: '/api/reports/x', user: member })).toMatchObject({ status: 403, reason: expect.stringContaining('reports:read') })
  })

  it('judges every reading of an attacker-spelled path, like the middleware', () => {
    const answer = simulate(policy, { path: '/public/..%2FAdmin', user: member })
    expect(answer.readings).toContain('/admin')
    expect(answer).toMatchObject({ allow: false, error: 'forbidden', route: 'protected' })
    expect(simulate(policy, { path: '/PUBLIC/info' })).toMatchObject({ allow: true, route: 'public' })
  })

  it('explains ignored, public and guard-API routes', () => {
    expect(simulate(policy, { path: '/health' })).toMatchObject({ allow: true, route: 'ignored', reason: expect.stringContaining('ignored') })
    expect(simulate(policy, { path: '/public/info' })).toMatchObject({ allow: true, route: 'public', api: false })
    expect(simulate(policy, { path: '/api/_guard/admin/config' })).toMatchObject({ allow: true, route: 'public', api: true, reason: expect.stringContaining('each handler checks') })
  })

  it('refuses to judge a path the middleware answers with 400', () => {
    expect(() => simulate(policy, { path: '/admin/%zz' })).toThrow(UnjudgeablePathError)
    expect(() => simulate(policy, { path: '/admin/%00' })).toThrow(/control character/)
  })
})

describe('simulateRequest with MFA', () => {
  const policy = policyOf(basicConfig({ mfa: { enforce: 'all' }, routes: { ...basicConfig().routes, rules: [{ pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 600 } } }] } }), 3)

  it('a user with no factor must enroll; "with MFA" assumes they enrolled a usable factor and completed it', () => {
    expect(simulate(policy, { path: '/api/secret', user: member })).toMatchObject({ allow: false, status: 403, error: 'mfa_enrollment_required' })
    // A page goes where the middleware sends it (the simulator calls the middleware's denialRedirect).
    expect(simulate(policy, { path: '/dashboard', user: member })).toMatchObject({ allow: false, status: 302, error: 'mfa_enrollment_required', redirect: '/account/manage-mfa/add?redirect_url=%2Fdashboard' })
    expect(simulate(policy, { path: '/dashboard', user: member, mfa: true })).toMatchObject({ allow: true })
  })

  it('an enrolled user who has not completed the factor gets INVALID_CLAIMS naming it', () => {
    const enrolled = { ...member, enrolled: ['totp' as const] }
    expect(simulate(policy, { path: '/api/secret', user: enrolled })).toMatchObject({ status: 403, error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'] })
    expect(simulate(policy, { path: '/billing/plan', user: enrolled, mfa: true })).toMatchObject({ allow: true })
  })

  it('keeps the MFA pages reachable to signed-in users without a factor', () => {
    expect(simulate(policy, { path: '/account/manage-mfa/add', user: member })).toMatchObject({ allow: true, reason: expect.stringContaining('MFA page') })
    expect(simulate(policy, { path: '/mfa-challenge' })).toMatchObject({ allow: false, error: 'unauthenticated' })
  })

  it('a factor whose strategy is switched off does not count; when it was the user\'s only one, they are stranded', () => {
    const totpOff = policyOf(basicConfig({ mfa: { enforce: 'all', strategies: { totp: false, email_code: true } } }))
    expect(simulate(totpOff, { path: '/dashboard', user: { ...member, enrolled: ['totp', 'email_code'] }, mfa: true }))
      .toMatchObject({ allow: false, error: 'INVALID_CLAIMS', factors: ['webauthn'] })
    expect(simulate(totpOff, { path: '/dashboard', user: { ...member, enrolled: ['totp'] }, mfa: true })).toMatchObject({
      allow: false, status: 302, error: 'mfa_reenrollment_required', redirect: '/mfa-challenge?redirect_url=%2Fdashboard',
      stranded: { switchedOff: ['totp'], prove: ['totp'], enroll: ['webauthn'] },
    })
  })

  it('labels a draft', () => {
    expect(simulateRequest(policy, { method: 'GET', path: '/' }, { nowSeconds: NOW_S, version: 'draft' }).version).toBe('draft')
  })
})

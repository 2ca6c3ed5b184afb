/**
 * The console's access rules, written once in core: the MFA rule requireAdmin
 * and the safety checks share, and the console path the safety checks keep
 * reachable (the module's `console.path`, not a hard-coded /admin).
 */
import { describe, expect, it } from 'vitest'
import { consoleMfaDenial, DEFAULT_CONSOLE_PATH } from '../../modules/guard/runtime/core/admin/console-access'
import { checkConfigSafety } from '../../modules/guard/runtime/core/admin/safety'
import { reviewConfig } from '../../modules/guard/runtime/core/admin/review'
import { NOW_S, BASIC_ROUTES, basicConfig, policyOf } from '../support/admin-policy'

describe('consoleMfaDenial', () => {
  const mfa = policyOf(basicConfig()).config.mfa
  const enforced = { ...mfa, enforce: 'all' as const }

  it('lets an admin in while MFA is off and no factor is enrolled', () => {
    expect(consoleMfaDenial(mfa, undefined)).toBeUndefined()
    expect(consoleMfaDenial(mfa, { c: {}, v: false, e: [] })).toBeUndefined()
  })

  it('asks for enrollment while MFA is enforced and nothing is enrolled', () => {
    expect(consoleMfaDenial(enforced, undefined)).toEqual({ error: 'mfa_enrollment_required' })
  })

  it('asks for the first enrolled factor when one is enrolled but not completed, even with MFA off', () => {
    expect(consoleMfaDenial(mfa, { c: {}, v: false, e: ['webauthn', 'totp'] })).toEqual({ error: 'INVALID_CLAIMS', factorId: 'webauthn' })
    expect(consoleMfaDenial(enforced, { c: { totp: NOW_S }, v: false, e: ['totp'] })).toEqual({ error: 'INVALID_CLAIMS', factorId: 'totp' })
  })

  it('lets in a session with a met verdict and a completed factor', () => {
    expect(consoleMfaDenial(enforced, { c: { totp: NOW_S }, v: true, e: ['totp'] })).toBeUndefined()
  })
})

describe('the console path in the safety checks', () => {
  const opsOnly = basicConfig({ routes: { ...BASIC_ROUTES, rules: [...BASIC_ROUTES.rules, { pattern: '/ops/**', require: { roles: ['ops'] } }] } })

  it('keeps the configured console page reachable, naming it', () => {
    expect(DEFAULT_CONSOLE_PATH).toBe('/admin')
    expect(checkConfigSafety(policyOf(opsOnly), NOW_S)).toEqual([])
    expect(checkConfigSafety(policyOf(opsOnly), NOW_S, '/ops/guard')).toEqual([
      { path: `routes.rules.${BASIC_ROUTES.rules.length}.require.roles`, message: expect.stringMatching(/admins would be refused GET \/ops\/guard .*Add "admin"/) },
    ])
    expect(reviewConfig(opsOnly, NOW_S, '/ops/guard')).toMatchObject({ ok: false, kind: 'unsafe' })
  })

  it('checks no console page when the console is switched off (empty path)', () => {
    const closedAdmin = basicConfig({ routes: { ...BASIC_ROUTES, rules: [{ pattern: '/admin/**', require: { roles: ['ops'] } }] } })
    expect(checkConfigSafety(policyOf(closedAdmin), NOW_S)).not.toEqual([])
    expect(checkConfigSafety(policyOf(closedAdmin), NOW_S, '')).toEqual([])
  })
})

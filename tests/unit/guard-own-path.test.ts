/**
 * Which requests are the guard's own (its API, the enrollment and challenge
 * pages), so that `guardMiddleware(handler)` skips the app's handler there —
 * judged on every reading of the path: a spelling of an app route that also
 * reads as a guard path is still the app's.
 */
import { describe, expect, it } from 'vitest'
import { pathReadings } from '../../modules/guard/runtime/core/paths/canonicalize'
import { isGuardOwnPath } from '../../modules/guard/runtime/server/utils/judge-request'
import { policyOf } from '../support/policy'

const own = (policy: ReturnType<typeof policyOf>, rawPath: string) => {
  const readings = pathReadings(rawPath)
  if (!readings.ok) throw new Error(`refused: ${rawPath}`)
  return isGuardOwnPath(policy, readings.readings)
}

describe('isGuardOwnPath', () => {
  const policy = policyOf()

  it('the guard API, the enrollment and challenge pages and what is under them are the guard\'s', () => {
    for (const path of [
      '/api/_guard', '/api/_guard/session', '/api/_guard/mfa/totp/enroll', '/api/_guard/sign-out?x=1',
      '/account/manage-mfa/add', '/account/manage-mfa/add/', '/account/manage-mfa/add?step=2', '/account/manage-mfa/add/_payload.json',
      '/mfa-challenge', '/mfa-challenge?redirect_url=%2Fdashboard',
      // Spellings whose every reading is still the guard's.
      '/API/_Guard/Session', '/api/_guard//session', '/api/_guard/x/../session', '/api/_guard/session;jsessionid=1',
    ]) expect(own(policy, path), path).toBe(true)
  })

  it('the app\'s routes are not, sign-in and sign-up included', () => {
    for (const path of [
      '/', '/sign-in', '/sign-up', '/dashboard', '/api/protected/data', '/account', '/account/manage-mfa', '/account/security',
      // Look-alikes at a segment boundary.
      '/api/_guardx/session', '/api/_guard-extra', '/api/guard/session', '/account/manage-mfa/added', '/mfa-challenge-x', '/mfa',
    ]) expect(own(policy, path), path).toBe(false)
  })

  it('attacker spellings that also read as an app route are the app\'s', () => {
    for (const path of [
      '/api/_guard/../protected/data',
      '/api/_guard/..%2Fprotected/data',
      '/api/%5Fguard/..%2Fprotected/data',
      '/api/%5fguard/../protected/data',
      '/API/_guard/x/../../api/protected/data',
      '/api/_guard/%2e%2e/protected/data',
      '/api/_guard/%252e%252e/protected/data', // double encoding
      '/api/_guard/%25252e%25252e/protected/data', // triple
      '/api/_guard\\..\\protected\\data',
      '/api/_guard/..;/protected/data',
      '/api/_guard/%3F/../../protected/data',
      '/api/_guard%2F..%2Fprotected/data',
      '/account/manage-mfa/add/../../../api/protected/data',
      '/account/manage-mfa/add/..%2F..%2F..%2Fapi%2Fprotected%2Fdata',
      '/mfa-challenge/%2e%2e/dashboard',
      '//api/_guard/../../dashboard',
    ]) expect(own(policy, path), path).toBe(false)
  })

  it('follows the live config: moved pages, case in the config, and never "/" as a prefix of everything', () => {
    const moved = policyOf({ mfa: { enrollUrl: '/Security/Setup/', challengeUrl: '/verify' } })
    expect(own(moved, '/security/setup')).toBe(true)
    expect(own(moved, '/security/setup/totp')).toBe(true)
    expect(own(moved, '/verify')).toBe(true)
    expect(own(moved, '/account/manage-mfa/add')).toBe(false)
    expect(own(moved, '/mfa-challenge')).toBe(false)
    const root = policyOf({ mfa: { challengeUrl: '/' }, routes: { public: ['/sign-in', '/sign-up'] } })
    expect(own(root, '/')).toBe(true)
    expect(own(root, '/dashboard')).toBe(false)
  })
})

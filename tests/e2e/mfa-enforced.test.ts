/**
 * MFA enforced for everyone: a user without a factor is sent to enrollment,
 * enrolls an authenticator app (codes computed here with otpauth), and every
 * new session must complete the factor before any protected route opens.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { decodeJwt } from 'jose'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { appCode, challenge, enrollTotpOverHttp } from '../support/mfa-http'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'all' }, claims: { template: { isMfa: '{{user.two_factor_enabled}}' } } }) }))

const EMAIL = 'ada@mfa-enforced.test'
const ada = new CookieClient()
let secret: string
let recoveryCodes: string[]

const claimsOf = (client: CookieClient) => decodeJwt(client.cookies.get('guard_session')!)

beforeAll(async () => {
  const signUp = await ada.signUp(EMAIL)
  expect(signUp.status).toBe(200)
  // The very first answer already says what comes next.
  expect(signUp.json()).toMatchObject({ factors: { enrolled: [], next: ['totp', 'webauthn'] }, redirectTo: '/account/manage-mfa/add?redirect_url=%2F' })
})

describe('forced enrollment', () => {
  it('pages redirect to the enrollment page with the return path; the API answers 403 mfa_enrollment_required', async () => {
    const page = await ada.send('/dashboard?tab=2')
    expect(page.status).toBe(302)
    expect(page.headers.location).toBe('/account/manage-mfa/add?redirect_url=%2Fdashboard%3Ftab%3D2')
    const api = await ada.send('/api/secret')
    expect(api.status).toBe(403)
    expect(api.json()).toMatchObject({ error: 'mfa_enrollment_required', error_description: expect.any(String) })
    expect(api.body).not.toContain('TOP-SECRET')
  })

  it('sign-out, the session and the factor endpoints stay reachable', async () => {
    expect((await ada.send('/api/_guard/session')).status).toBe(200)
    const factors = (await ada.send('/api/_guard/mfa/factors')).json()
    expect(factors).toMatchObject({ enforce: 'all', enrolled: [], recoveryCodesRemaining: 0, completed: {}, satisfied: false, strategies: { totp: true } })
  })

  it('a wrong code confirms nothing', async () => {
    await ada.send('/api/_guard/mfa/totp/enroll', { json: {} })
    const wrong = await ada.send('/api/_guard/mfa/totp/verify', { json: { code: '000000' } })
    expect(wrong.status).toBe(401)
    expect(wrong.json()).toMatchObject({ error: 'invalid_code', attemptsRemaining: expect.any(Number) })
    expect((await ada.send('/api/secret')).status).toBe(403)
  })

  it('enrolling with a valid code opens everything at once: the cookie is reissued with the completed factor', async () => {
    ;({ secret, recoveryCodes } = await enrollTotpOverHttp(ada) as { secret: string; recoveryCodes: string[] })
    expect(recoveryCodes).toHaveLength(10)
    expect(claimsOf(ada)).toMatchObject({ mfa: { c: { totp: expect.any(Number) }, v: true, e: ['totp', 'recovery_code'] }, isMfa: true })
    expect((await ada.send('/api/secret')).json()).toMatchObject({ marker: 'TOP-SECRET api' })
    expect((await ada.send('/dashboard')).status).toBe(200)
    const factors = (await ada.send('/api/_guard/mfa/factors')).json()
    expect(factors).toMatchObject({ enrolled: [{ type: 'totp', id: expect.any(String) }], recoveryCodesRemaining: 10, satisfied: true })
  })
})

describe('a new session of an enrolled user', () => {
  it('sign-in names the factor and sends the user to the challenge, keeping the destination', async () => {
    const laptop = new CookieClient()
    const signIn = await laptop.signIn(EMAIL, undefined, '/dashboard')
    expect(signIn.json()).toMatchObject({ factors: { enrolled: ['totp', 'recovery_code'], next: ['totp', 'webauthn'] }, redirectTo: '/mfa-challenge?redirect_url=%2Fdashboard' })
  })

  it('is refused with INVALID_CLAIMS naming the factor (API) and redirected to the challenge (pages)', async () => {
    const laptop = new CookieClient()
    await laptop.signIn(EMAIL)
    const api = await laptop.send('/api/secret')
    expect(api.status).toBe(403)
    expect(api.json()).toEqual({
      error: 'INVALID_CLAIMS',
      error_description: expect.any(String),
      claimValidationErrors: [{ id: 'mfa', reason: { message: expect.any(String), factorId: 'totp' } }],
    })
    const page = await laptop.send('/dashboard')
    expect([page.status, page.headers.location]).toEqual([302, '/mfa-challenge?redirect_url=%2Fdashboard'])
  })

  it('the app\'s code completes the challenge once; the same code in another session is refused', async () => {
    const laptop = new CookieClient()
    const phone = new CookieClient()
    await laptop.signIn(EMAIL)
    await phone.signIn(EMAIL)
    const code = appCode(secret, 1) // the enrollment used this step's code already
    const done = await challenge(laptop, { factor: 'totp', code, redirect_url: '/dashboard' })
    expect(done.status, done.body).toBe(200)
    expect(done.json()).toEqual({ completed: 'totp', redirectTo: '/dashboard', satisfied: true })
    expect((await laptop.send('/api/secret')).status).toBe(200)
    const replay = await challenge(phone, { factor: 'totp', code })
    expect([replay.status, replay.json().error]).toEqual([401, 'invalid_code'])
    expect((await phone.send('/api/secret')).status).toBe(403)
  })

  it('a recovery code is a factor of its own: it completes recovery_code, once', async () => {
    const tablet = new CookieClient()
    await tablet.signIn(EMAIL)
    const used = await challenge(tablet, { factor: 'recovery_code', code: recoveryCodes[0] })
    expect(used.status, used.body).toBe(200)
    expect(claimsOf(tablet)).toMatchObject({ mfa: { c: { recovery_code: expect.any(Number) } } })
    const again = new CookieClient()
    await again.signIn(EMAIL)
    expect((await challenge(again, { factor: 'recovery_code', code: recoveryCodes[0] })).status).toBe(401)
  })

  it('a challenge without a session is 401; a malformed one 422 naming the field', async () => {
    expect((await challenge(new CookieClient(), { factor: 'totp', code: '123456' })).status).toBe(401)
    const laptop = new CookieClient()
    await laptop.signIn(EMAIL)
    const missing = await challenge(laptop, { factor: 'totp' })
    expect([missing.status, missing.json().error, missing.json().field]).toEqual([422, 'invalid_request', 'code'])
  })
})

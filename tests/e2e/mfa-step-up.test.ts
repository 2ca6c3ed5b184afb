/**
 * Step-up: a route whose rule wants a second factor at most 10 s old answers
 * 403 mfa_required with a short-lived mfa_token (TTL 3 s here, from
 * NUXT_GUARD_MFA_TOKEN_TTL); the challenge with that token makes the retried
 * request succeed. Forged, foreign and expired tokens are refused, and
 * guessing is cut off with 429 + Retry-After.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { appCode, challenge, enrollTotpOverHttp } from '../support/mfa-http'

const STEP_UP = { stepUp: { maxAgeSeconds: 10 } }
await setup(fixtureSetup('basic', {
  NUXT_GUARD_MFA_TOKEN_TTL: '3',
  NUXT_GUARD_SEED: JSON.stringify({
    mfa: { enforce: 'rules' },
    routes: {
      mode: 'protect-all',
      public: ['/', '/sign-in', '/sign-up', '/public/**', '/api/public/**'],
      ignored: ['/_nuxt/**', '/favicon.ico', '/__nuxt_error', '/health'],
      api: ['/api/**'],
      rules: [{ pattern: '/api/secret', require: STEP_UP }, { pattern: '/dashboard', require: STEP_UP }],
    },
  }),
}))

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
const EMAIL = 'ada@step-up.test'
const ada = new CookieClient()
let secret: string

beforeAll(async () => {
  expect((await ada.signUp(EMAIL)).status).toBe(200)
  ;({ secret } = await enrollTotpOverHttp(ada))
})

async function stepUpDenial(client: CookieClient) {
  const denied = await client.send('/api/secret')
  expect(denied.status, denied.body).toBe(403)
  return denied.json()
}

describe('step-up', () => {
  it('a fresh second factor opens the route; once it is older than maxAgeSeconds, 403 mfa_required with an mfa_token', async () => {
    expect((await ada.send('/api/secret')).status).toBe(200)
    expect((await ada.send('/api/step-up-in-depth')).json()).toMatchObject({ marker: 'fresh second factor' })
    await sleep(11_000)
    const body = await stepUpDenial(ada)
    expect(body).toEqual({
      error: 'mfa_required',
      error_description: expect.any(String),
      mfa_token: expect.stringMatching(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/), // compact JWE, dir: empty encrypted key
      mfa_requirements: { challenge: [{ type: 'totp' }, { type: 'recovery_code' }], enroll: [{ type: 'webauthn' }] },
    })
    const page = await ada.send('/dashboard')
    expect(page.status).toBe(302)
    const location = new URL(page.headers.location as string, 'http://x')
    expect(location.pathname).toBe('/mfa-challenge')
    expect(location.searchParams.get('redirect_url')).toBe('/dashboard')
    expect(location.searchParams.get('mfa_token')).toMatch(/^[\w-]+\.\.[\w-]+/)
    // requireAuth inside a handler no rule covers refuses the same way, mfa_token included.
    const inDepth = await ada.send('/api/step-up-in-depth')
    expect(inDepth.status).toBe(403)
    expect(inDepth.json().data).toMatchObject({ error: 'mfa_required', mfa_token: expect.stringMatching(/^[\w-]+\.\.[\w-]+/) })
  }, 30_000)

  it('a tampered mfa_token → 401 mfa_token_invalid, and the code is not even tried', async () => {
    const { mfa_token: token } = await stepUpDenial(ada)
    const middle = token.length >> 1
    const tampered = token.slice(0, middle) + (token[middle] === 'A' ? 'B' : 'A') + token.slice(middle + 1)
    for (const forged of [tampered, `${token}x`, 'not-a-token']) {
      const refused = await challenge(ada, { factor: 'totp', code: appCode(secret, 1), mfaToken: forged })
      expect([refused.status, refused.json().error]).toEqual([401, 'mfa_token_invalid'])
    }
    expect((await ada.send('/api/secret')).status).toBe(403)
  })

  it('another session\'s mfa_token → 401 mfa_token_invalid', async () => {
    const { mfa_token: token } = await stepUpDenial(ada)
    const attacker = new CookieClient()
    await attacker.signIn(EMAIL)
    const refused = await challenge(attacker, { factor: 'totp', code: '123456', mfaToken: token })
    expect([refused.status, refused.json().error]).toEqual([401, 'mfa_token_invalid'])
  })

  it('an expired mfa_token → 401 mfa_token_expired', async () => {
    const { mfa_token: token } = await stepUpDenial(ada)
    await sleep(4_000)
    const refused = await challenge(ada, { factor: 'totp', code: appCode(secret, 1), mfaToken: token })
    expect([refused.status, refused.json().error]).toEqual([401, 'mfa_token_expired'])
    expect(refused.json().error_description).toMatch(/retry/i)
  })

  it('403 → challenge with the mfa_token → the retried request succeeds', async () => {
    const { mfa_token: token } = await stepUpDenial(ada)
    const done = await challenge(ada, { factor: 'totp', code: appCode(secret, 1), mfaToken: token, redirect_url: '/api/secret' })
    expect(done.status, done.body).toBe(200)
    expect(done.json()).toMatchObject({ completed: 'totp', redirectTo: '/api/secret' })
    expect((await ada.send('/api/secret')).json()).toMatchObject({ marker: 'TOP-SECRET api' })
    expect((await ada.send('/dashboard')).status).toBe(200)
  })
})

describe('sign-in under enforce: rules', () => {
  it('a destination that wants a fresh factor sends the user to the challenge first, naming the factors', async () => {
    const laptop = new CookieClient()
    const signIn = await laptop.signIn(EMAIL, undefined, '/dashboard')
    expect(signIn.json()).toMatchObject({ factors: { enrolled: ['totp', 'recovery_code'], next: ['totp', 'recovery_code'] }, redirectTo: '/mfa-challenge?redirect_url=%2Fdashboard' })
    const elsewhere = await new CookieClient().signIn(EMAIL, undefined, '/public/info')
    expect(elsewhere.json()).toMatchObject({ factors: { next: [] }, redirectTo: '/public/info' })
  })
})

describe('rate limits', () => {
  it('5 attempts per challenge, then 429 with Retry-After, even for the right code', async () => {
    const bob = new CookieClient()
    await bob.signUp('bob@step-up.test')
    const { secret: bobSecret } = await enrollTotpOverHttp(bob)
    const left = []
    for (let i = 0; i < 5; i++) left.push((await challenge(bob, { factor: 'totp', code: '000000' })).json().attemptsRemaining)
    expect(left).toEqual([4, 3, 2, 1, 0])
    const blocked = await challenge(bob, { factor: 'totp', code: appCode(bobSecret, 1) })
    expect(blocked.status).toBe(429)
    expect(blocked.json()).toMatchObject({ error: 'too_many_attempts', retryAfterSeconds: 900 })
    expect(blocked.headers['retry-after']).toBe('900')
  })

  it('one client gets 10 failed sign-ins per 15 minutes on one account, then 429 with Retry-After, even with the right password', async () => {
    const client = new CookieClient()
    const statuses = []
    for (let i = 0; i < 11; i++) statuses.push((await client.signIn(EMAIL, 'wrong password')).status)
    expect(statuses.slice(0, 10).every(status => status === 401)).toBe(true)
    expect(statuses[10]).toBe(429)
    const right = await client.signIn(EMAIL)
    expect(right.status).toBe(429)
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(800)
    expect(right.json()).toMatchObject({ error: 'too_many_attempts', retryAfterSeconds: expect.any(Number) })
  }, 60_000)
})

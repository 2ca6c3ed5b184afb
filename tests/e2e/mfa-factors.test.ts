/**
 * Passkeys (a software authenticator made in the test), email codes through
 * the outbox, the factor list, remembered devices and account sessions — and
 * a strategy switched off in the console refusing its endpoints on the very
 * next request.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup, url } from '@nuxt/test-utils/e2e'
import { decodeJwt } from 'jose'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { SoftAuthenticator } from '../support/soft-authenticator'
import { challenge, enrollTotpOverHttp } from '../support/mfa-http'
import { verifyAddressOverHttp } from '../support/email-verification-http'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'off', strategies: { email_code: true } } }) }))

const EMAIL = 'pat@factors.test'
const admin = new CookieClient()
const pat = new CookieClient()
const key = new SoftAuthenticator()
let origin: string
let rpId: string

const claimsOf = (client: CookieClient) => decodeJwt(client.cookies.get('guard_session')!) as { mfa: { c: Record<string, number>; e: string[] } }

async function assertionFor(client: CookieClient, overrides: Partial<Parameters<SoftAuthenticator['authenticate']>[0]> = {}) {
  const options = await client.send('/api/_guard/mfa/webauthn/authenticate/options', { json: {} })
  expect(options.status, options.body).toBe(200)
  return key.authenticate({ challenge: options.json().challenge, origin, rpId, ...overrides })
}

async function signedIn() {
  const client = new CookieClient()
  expect((await client.signIn(EMAIL)).status).toBe(200)
  return client
}

beforeAll(async () => {
  ;({ origin, hostname: rpId } = new URL(url('/')))
  expect((await admin.signUp('admin@factors.test')).status).toBe(200)
  expect((await pat.signUp(EMAIL)).status).toBe(200)
})

describe('passkeys and security keys', () => {
  it('registers a key for this site; it counts as completed in this session', async () => {
    const options = (await pat.send('/api/_guard/mfa/webauthn/register/options', { json: {} })).json()
    expect(options).toMatchObject({ rp: { id: rpId }, challenge: expect.any(String), attestation: 'none' })
    const verify = await pat.send('/api/_guard/mfa/webauthn/register/verify', { json: { response: key.register({ challenge: options.challenge, origin, rpId }), label: 'Test key' } })
    expect(verify.status, verify.body).toBe(200)
    expect(verify.json()).toMatchObject({ enrolled: true, factor: 'webauthn', id: expect.any(String), recoveryCodes: expect.any(Array) })
    expect(claimsOf(pat).mfa).toMatchObject({ c: { webauthn: expect.any(Number) }, e: ['webauthn', 'recovery_code'] })
  })

  it('a registration made for a phishing origin is refused and enrolls nothing', async () => {
    const eve = new CookieClient()
    await eve.signUp('eve@factors.test')
    const options = (await eve.send('/api/_guard/mfa/webauthn/register/options', { json: {} })).json()
    const response = new SoftAuthenticator().register({ challenge: options.challenge, origin: 'https://evil.example', rpId })
    const refused = await eve.send('/api/_guard/mfa/webauthn/register/verify', { json: { response } })
    expect([refused.status, refused.json().reason]).toEqual([400, 'wrong_origin'])
    expect((await eve.send('/api/_guard/mfa/factors')).json().enrolled).toEqual([])
  })

  it('a new session completes the factor with a signed assertion', async () => {
    const laptop = await signedIn()
    const done = await challenge(laptop, { factor: 'webauthn', response: await assertionFor(laptop) })
    expect(done.status, done.body).toBe(200)
    expect(claimsOf(laptop).mfa.c.webauthn).toEqual(expect.any(Number))
  })

  it('a phishing origin, another RP ID, a replayed assertion and a counter that went back are refused', async () => {
    const laptop = await signedIn()
    const attempts = [
      ['wrong_origin', { origin: 'https://evil.example' }],
      ['wrong_rp_id', { rpId: 'evil.example' }],
      ['counter_replayed', { signCount: 1 }],
    ] as const
    for (const [reason, overrides] of attempts) {
      const refused = await challenge(laptop, { factor: 'webauthn', response: await assertionFor(laptop, overrides) })
      expect([refused.status, refused.json().error, refused.json().reason]).toEqual([401, 'invalid_code', reason])
    }
    const good = await assertionFor(laptop)
    expect((await challenge(laptop, { factor: 'webauthn', response: good })).status).toBe(200)
    const replayed = await challenge(laptop, { factor: 'webauthn', response: good }) // its challenge is spent
    expect([replayed.status, replayed.json().reason]).toEqual([401, 'challenge_mismatch'])
  })

  it('a remembered device completes the factor at sign-in, dated when it was remembered', async () => {
    const laptop = await signedIn()
    const done = await challenge(laptop, { factor: 'webauthn', response: await assertionFor(laptop), rememberDevice: true })
    expect(done.status).toBe(200)
    const device = laptop.cookies.get('guard_device')
    expect(device).toBeTruthy()
    const later = new CookieClient()
    later.cookies.set('guard_device', device!)
    await later.signIn(EMAIL)
    expect(claimsOf(later).mfa.c.webauthn).toEqual(claimsOf(laptop).mfa.c.webauthn)
    const forged = new CookieClient()
    forged.cookies.set('guard_device', `${device!.split('.')[0]}.forged`)
    await forged.signIn(EMAIL)
    expect(claimsOf(forged).mfa.c).toEqual({})
    // Revoked from the account page: the cookie stops working.
    const { devices } = (await laptop.send('/api/_guard/account/devices')).json()
    expect(devices).toEqual([expect.objectContaining({ factor: 'webauthn', id: expect.any(String) })])
    // A DELETE with no body, as the account page sends it; from another origin it is refused all the same.
    const crossSite = await laptop.send(`/api/_guard/account/devices/${devices[0].id}`, { method: 'DELETE', headers: { origin: 'https://evil.example' } })
    expect([crossSite.status, crossSite.json().error]).toEqual([403, 'cross_origin_request'])
    const revoked = await laptop.send(`/api/_guard/account/devices/${devices[0].id}`, { method: 'DELETE' })
    expect(revoked.json()).toEqual({ revoked: true })
    const afterRevoke = new CookieClient()
    afterRevoke.cookies.set('guard_device', device!)
    await afterRevoke.signIn(EMAIL)
    expect(claimsOf(afterRevoke).mfa.c).toEqual({})
  })
})

describe('email codes through the outbox', () => {
  it('enrolls with the code the admin console\'s outbox shows (for a verified address only)', async () => {
    const unverified = await pat.send('/api/_guard/mfa/email/send', { json: { purpose: 'enroll' } })
    expect([unverified.status, unverified.json().error]).toEqual([403, 'email_verification_required'])
    await verifyAddressOverHttp(pat, admin, EMAIL)
    const sent = await pat.send('/api/_guard/mfa/email/send', { json: { purpose: 'enroll' } })
    expect(sent.json()).toEqual({ sentTo: 'p***@factors.test', expiresInSeconds: 600 })
    const outbox = (await admin.send('/api/_guard/admin/outbox')).json()
    expect(outbox.messages[0]).toMatchObject({ to: EMAIL, subject: expect.any(String), text: expect.stringMatching(/\d{6}/) })
    expect((await pat.send('/api/_guard/admin/outbox')).status).toBe(403)
    const code = /(\d{6})/.exec(outbox.messages[0].text)![1]
    const verify = await pat.send('/api/_guard/mfa/email/verify', { json: { code } })
    expect(verify.status, verify.body).toBe(200)
    expect(verify.json()).toEqual({ enrolled: true, factor: 'email_code' })
  })

  it('lists the factors; removing one needs a factor completed in this session', async () => {
    const list = (await pat.send('/api/_guard/mfa/factors')).json()
    expect(list.enrolled.map((f: { type: string }) => f.type)).toEqual(['webauthn', 'email_code'])
    const email = list.enrolled.find((f: { type: string }) => f.type === 'email_code')
    const fresh = await signedIn()
    const refused = await fresh.send(`/api/_guard/mfa/factors/${email.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })
    expect([refused.status, refused.json().error]).toEqual([403, 'mfa_required'])
    const eve = new CookieClient() // a user without factors may remove her own (she has none) — never pat's
    await eve.signIn('eve@factors.test')
    const foreign = await eve.send(`/api/_guard/mfa/factors/${email.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })
    expect([foreign.status, foreign.json().error]).toEqual([404, 'not_found'])
    const removed = await pat.send(`/api/_guard/mfa/factors/${email.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })
    expect(removed.json()).toEqual({ removed: true })
    expect(claimsOf(pat).mfa.e).toEqual(['webauthn', 'recovery_code'])
  })
})

describe('account sessions', () => {
  it('lists my sessions and signs the others out', async () => {
    const other = await signedIn()
    const { sessions } = (await pat.send('/api/_guard/account/sessions')).json()
    expect(sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1)
    expect(sessions.length).toBeGreaterThan(1)
    const revoked = (await pat.send('/api/_guard/account/sessions/revoke-others', { json: {} })).json()
    expect(revoked.revoked).toBe(sessions.length - 1)
    expect((await other.send('/api/_guard/session')).status).toBe(401)
    expect((await pat.send('/api/_guard/session')).status).toBe(200)
  })

  it('cannot revoke another user\'s session', async () => {
    const adminSession = (await admin.send('/api/_guard/session')).json().sessionId
    const refused = await pat.send(`/api/_guard/account/sessions/${adminSession}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })
    expect(refused.status).toBe(404)
    expect((await admin.send('/api/_guard/session')).status).toBe(200)
  })
})

describe('a strategy switched off in the console', () => {
  it('refuses its endpoints on the very next request', async () => {
    // An authenticator app too: with a factor still on, pat is not stranded (see mfa-stranded.test.ts) and the switched-off ones are simply refused.
    await enrollTotpOverHttp(pat)
    const { version, document } = (await admin.send('/api/_guard/admin/config')).json()
    const saved = await admin.send('/api/_guard/admin/config', { method: 'PUT', json: { version, document: { ...document, mfa: { ...document.mfa, strategies: { ...document.mfa.strategies, webauthn: false, email_code: false } } } } })
    expect(saved.status, saved.body).toBe(200)
    for (const path of ['/api/_guard/mfa/webauthn/authenticate/options', '/api/_guard/mfa/webauthn/register/options']) {
      const refused = await pat.send(path, { json: {} })
      expect([refused.status, refused.json().error]).toEqual([403, 'strategy_disabled'])
    }
    const challenged = await challenge(pat, { factor: 'webauthn', response: key.authenticate({ challenge: 'x', origin, rpId }) })
    expect([challenged.status, challenged.json().error]).toEqual([403, 'strategy_disabled'])
    const email = await pat.send('/api/_guard/mfa/email/send', { json: { purpose: 'challenge' } })
    expect([email.status, email.json().error]).toEqual([403, 'strategy_disabled'])
    expect((await pat.send('/api/_guard/mfa/factors')).json().strategies).toMatchObject({ webauthn: false, email_code: false, totp: true })
  })
})

/**
 * Forgot password over HTTP, from the attacker's side: the same answer for
 * known and unknown addresses (status, body and time), a code used twice or
 * for another account, an account with an authenticator app reset without
 * it, request limits with Retry-After, and the old session and refresh
 * cookies refused after a reset.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { appCode, challenge, enrollTotpOverHttp } from '../support/mfa-http'
import { okJson } from '../support/admin-api'

// Behind one trusted proxy: each test speaks from its own client address (X-Forwarded-For).
await setup(fixtureSetup('basic', { NUXT_PUBLIC_GUARD_APP_NAME: 'Acme Reset', NUXT_GUARD_TRUST_PROXY: '1', NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'off' } }) }))

const admin = new CookieClient()
let ip = 0
const from = () => ({ 'x-forwarded-for': `198.51.100.${++ip}` })
const request = (email: string, headers = from()) => new CookieClient().send('/api/_guard/password-reset/request', { json: { email }, headers })
const confirm = (json: Record<string, unknown>, client = new CookieClient()) => client.send('/api/_guard/password-reset/confirm', { json: { password: 'a brand new passphrase', ...json }, headers: from() })

/** The reset code in the newest outbox message to `to` (the email goes out just after the answer). */
async function resetCode(to: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const { messages } = okJson<{ messages: { to: string; subject: string; text: string }[] }>(await admin.send('/api/_guard/admin/outbox'))
    const found = messages.find(message => message.to === to && message.subject === 'Acme Reset: Reset your password')
    if (found) return /code is ([A-Z0-9-]+)\./.exec(found.text)![1]!
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`no reset email to ${to}`)
}

beforeAll(async () => {
  expect((await admin.signUp('admin@reset.test')).status).toBe(200)
})

describe('forgot password', () => {
  it('answers the same status and body, in the same time, for known and unknown addresses', async () => {
    const known: string[] = []
    for (let i = 0; i < 4; i++) { known.push(`known-${i}@reset.test`); expect((await new CookieClient().signUp(known[i]!)).status).toBe(200) }
    const times = { known: [] as number[], unknown: [] as number[] }
    const answers = new Set<string>()
    for (let round = 0; round < 20; round++) {
      for (const kind of round % 2 ? ['known', 'unknown'] as const : ['unknown', 'known'] as const) {
        const email = kind === 'known' ? known[round % 4]! : `ghost-${round}@reset.test`
        const started = performance.now()
        const answer = await request(email)
        times[kind].push(performance.now() - started)
        answers.add(`${answer.status} ${answer.body}`)
      }
    }
    expect([...answers]).toEqual(['200 {"ok":true,"expiresInSeconds":1800}'])
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[list.length >> 1]!
    const [k, u] = [median(times.known), median(times.unknown)]
    console.info(`[reset timing] median known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms (20 each)`)
    expect(Math.abs(k - u)).toBeLessThan(Math.max(25, 0.5 * Math.min(k, u)))
  })

  it('a reset of an account with an authenticator app needs its code; afterwards the old cookies are refused', async () => {
    const pat = new CookieClient()
    expect((await pat.signUp('pat@reset.test')).status).toBe(200)
    const { secret, recoveryCodes } = await enrollTotpOverHttp(pat)
    const oldRefresh = new CookieClient()
    oldRefresh.cookies.absorb([`guard_refresh=${pat.cookies.get('guard_refresh')}; Path=/`])
    expect((await request('pat@reset.test')).status).toBe(200)
    const code = await resetCode('pat@reset.test')

    const withoutFactor = await confirm({ email: 'pat@reset.test', code })
    expect([withoutFactor.status, withoutFactor.json()]).toEqual([403, expect.objectContaining({ error: 'reset_factor_required', factors: ['totp', 'recovery_code'] })])
    expect((await new CookieClient().signIn('pat@reset.test', 'a brand new passphrase')).status).toBe(401)
    expect((await pat.send('/api/_guard/session')).status).toBe(200)

    const done = await confirm({ email: 'pat@reset.test', code, factor: 'totp', factorCode: appCode(secret, 1) })
    expect([done.status, done.json()]).toEqual([200, { ok: true, revokedSessions: 1 }])
    expect((await pat.send('/api/_guard/session')).status).toBe(401)
    expect((await oldRefresh.send('/api/_guard/session')).status).toBe(401)
    expect((await confirm({ email: 'pat@reset.test', code, factor: 'totp', factorCode: appCode(secret, -1), password: 'yet another passphrase' })).json()).toMatchObject({ error: 'invalid_reset_code' })

    const back = new CookieClient()
    expect((await back.signIn('pat@reset.test', 'a brand new passphrase')).status).toBe(200)
    // The app's codes of this and the next step are spent (enrollment, reset): the second factor is a recovery code here.
    expect((await challenge(back, { factor: 'recovery_code', code: recoveryCodes![0] })).status).toBe(200)
    expect((await back.send('/api/_guard/session')).status).toBe(200)
  })

  it('one account\'s code does not reset another account', async () => {
    for (const email of ['alice@reset.test', 'mallory@reset.test']) expect((await new CookieClient().signUp(email)).status).toBe(200)
    await request('alice@reset.test')
    await request('mallory@reset.test')
    const refused = await confirm({ email: 'alice@reset.test', code: await resetCode('mallory@reset.test') })
    expect([refused.status, refused.json().error]).toEqual([400, 'invalid_reset_code'])
    expect((await new CookieClient().signIn('alice@reset.test')).status).toBe(200)
  })

  it('limits requests per address (known or not), answering 429 with Retry-After', async () => {
    for (const email of ['admin@reset.test', 'nobody-limit@reset.test']) {
      for (let i = 0; i < 5; i++) expect((await request(email)).status).toBe(200)
      const refused = await request(email)
      expect([refused.status, refused.json().error, refused.headers['retry-after']]).toEqual([429, 'too_many_attempts', '900'])
    }
  })

  it('limits requests per client address over many addresses', async () => {
    const client = from()
    for (let i = 0; i < 20; i++) expect((await request(`spray-${i}@reset.test`, client)).status).toBe(200)
    expect((await request('spray-last@reset.test', client)).status).toBe(429)
  })
})

describe('the application\'s name (NUXT_PUBLIC_GUARD_APP_NAME)', () => {
  it('is the issuer authenticator apps show, instead of the host', async () => {
    const client = new CookieClient()
    expect((await client.signUp('issuer@reset.test')).status).toBe(200)
    const { uri } = okJson<{ uri: string }>(await client.send('/api/_guard/mfa/totp/enroll', { json: {} }))
    expect(new URL(uri).searchParams.get('issuer')).toBe('Acme Reset')
    expect(decodeURIComponent(new URL(uri).pathname)).toContain('Acme Reset:issuer@reset.test')
  })

  it('starts every email subject and names the built-in pages', async () => {
    const { messages } = okJson<{ messages: { subject: string }[] }>(await admin.send('/api/_guard/admin/outbox'))
    expect(messages.length).toBeGreaterThan(0)
    for (const { subject } of messages) expect(subject).toMatch(/^Acme Reset: /)
    const signIn = await new CookieClient().send('/sign-in')
    expect(signIn.body).toContain('<title>Sign in · Acme Reset</title>')
    expect(signIn.body).toContain('Sign in to Acme Reset</h1>')
    expect((await new CookieClient().send('/forgot-password')).body).toContain('<title>Reset your password · Acme Reset</title>')
  })
})

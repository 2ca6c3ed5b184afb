/**
 * Issue 11, part 3: a strategy switched off under a member whose only factor
 * it was. The console says beforehand how many it strands; the member is led
 * to prove it is them with the switched-off factor and to set up another,
 * then reaches the app; the switched-off factor never opens the app on its
 * own (the attacker's side); a member with another enabled factor is unaffected.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { decodeJwt } from 'jose'
import type { TOTP } from 'otpauth'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { ADMIN, expectError, okJson } from '../support/admin-api'
import { enrollTotp } from '../support/admin-mfa'
import { challenge } from '../support/mfa-http'
import { verifyAddressOverHttp } from '../support/email-verification-http'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'all', strategies: { email_code: true }, requirements: [{ oneOf: ['totp', 'webauthn', 'email_code'] }] } }) }))

const ONLY = 'only-email@stranded.test'
const BOTH = 'email-and-app@stranded.test'
const admin = new CookieClient()
const only = new CookieClient()
const both = new CookieClient()
let onlyId: string
let bothApp: TOTP

const mfaClaim = (client: CookieClient) => (decodeJwt(client.cookies.get('guard_session')!) as { mfa: { c: Record<string, number>; e: string[] } }).mfa

/** The code in the newest outbox message to `to` (the console's outbox, read as the admin). */
async function outboxCode(to: string): Promise<string> {
  const { messages } = okJson<{ messages: { to: string; text: string }[] }>(await admin.send(`${ADMIN}/outbox`))
  return /(\d{6})/.exec(messages.find(message => message.to === to)!.text)![1]!
}

async function enrollEmail(client: CookieClient, email: string) {
  // Email codes are set up only for a verified address.
  await verifyAddressOverHttp(client, admin, email)
  expect((await client.send('/api/_guard/mfa/email/send', { json: { purpose: 'enroll' } })).status).toBe(200)
  okJson(await client.send('/api/_guard/mfa/email/verify', { json: { code: await outboxCode(email) } }))
}

async function proveWithEmail(client: CookieClient, email: string) {
  okJson(await client.send('/api/_guard/mfa/email/send', { json: { purpose: 'challenge' } }))
  return challenge(client, { factor: 'email_code', code: await outboxCode(email), redirect_url: '/dashboard' })
}

async function setStrategies(change: Record<string, boolean>) {
  const { version, document } = okJson(await admin.send(`${ADMIN}/config`))
  const mfa = { ...document.mfa, strategies: { ...document.mfa.strategies, ...change } }
  return { before: await admin.send(`${ADMIN}/mfa/stranded`, { json: { mfa } }), save: () => admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document: { ...document, mfa } } }) }
}

beforeAll(async () => {
  expect((await admin.signUp('admin@stranded.test')).status).toBe(200)
  await enrollTotp(admin)
  onlyId = okJson(await only.signUp(ONLY)).userId
  await enrollEmail(only, ONLY)
  expect((await both.signUp(BOTH)).status).toBe(200)
  await enrollEmail(both, BOTH)
  bothApp = await enrollTotp(both)
  for (const client of [only, both]) expect((await client.send('/api/secret')).status).toBe(200)
})

describe('the console, before saving', () => {
  it('shows how many users switching Email code off strands and what will happen to them; saving does it', async () => {
    const { before, save } = await setStrategies({ email_code: false })
    expect(okJson(before)).toMatchObject({
      stranded: 1, newlyStranded: 1, withRecoveryCodes: 1, when: 'next_request', enroll: ['totp', 'webauthn'],
      groups: [{ factors: ['email_code'], users: 1, newlyStranded: 1 }], sample: [{ id: onlyId, email: ONLY }],
      summary: expect.stringMatching(/^This change strands 1 user \(1 whose only factor is Email code\)\. On their next request they will be asked to confirm it is them/),
    })
    expect(okJson(await save()).version).toEqual(expect.any(Number))
  })

  it('the simulator shows it for that one user', async () => {
    const answer = okJson(await admin.send(`${ADMIN}/simulate`, { json: { method: 'GET', path: '/dashboard', userId: onlyId, mfa: true } }))
    expect(answer).toMatchObject({
      allow: false, status: 302, error: 'mfa_reenrollment_required', redirect: '/mfa-challenge?redirect_url=%2Fdashboard',
      stranded: { switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] },
    })
  })
})

describe('the member whose only factor was Email code', () => {
  it('is stopped on the next request: the API says why with its own code, a page goes to the challenge', async () => {
    const refused = expectError(await only.send('/api/secret'), 403, 'mfa_reenrollment_required')
    expect(refused).toMatchObject({
      error_description: expect.stringMatching(/^Email code, your only second factor, has been switched off on this site\. Confirm it is you with Email code or a recovery code, then set up Authenticator app or Passkey to continue\./),
      mfa_requirements: { challenge: [{ type: 'email_code' }, { type: 'recovery_code' }], enroll: [{ type: 'totp' }, { type: 'webauthn' }] },
      switched_off: ['email_code'],
    })
    const page = await only.send('/dashboard')
    expect([page.status, page.headers.location]).toEqual([302, '/mfa-challenge?redirect_url=%2Fdashboard'])
    expect(okJson(await only.send('/api/_guard/mfa/factors')).stranded).toMatchObject({ switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] })
  })

  it('from the attacker\'s side: the switched-off factor, completed, opens enrollment only — not the app, not the account', async () => {
    const session = new CookieClient()
    expect(okJson(await session.signIn(ONLY, undefined, '/dashboard'))).toMatchObject({ factors: { next: ['email_code', 'recovery_code'] }, redirectTo: '/mfa-challenge?redirect_url=%2Fdashboard' })
    expectError(await session.send('/api/_guard/mfa/totp/enroll', { json: {} }), 403, 'mfa_required')
    expect(okJson(await session.send('/api/_guard/mfa/factors')).stranded.confirmed).toBe(false)
    const proved = okJson(await proveWithEmail(session, ONLY))
    expect(proved).toEqual({ completed: 'email_code', satisfied: false, next: 'enroll', redirectTo: '/account/manage-mfa/add?redirect_url=%2Fdashboard' })
    expect(mfaClaim(session).c).toEqual({})
    expect(okJson(await session.send('/api/_guard/mfa/factors')).stranded.confirmed).toBe(true)
    expectError(await session.send('/api/secret'), 403, 'mfa_reenrollment_required')
    expect((await session.send('/dashboard')).headers.location).toBe('/mfa-challenge?redirect_url=%2Fdashboard')
    expectError(await session.send('/api/_guard/account/sessions'), 403, 'mfa_required')
    expectError(await session.send('/api/_guard/mfa/recovery-codes', { json: {} }), 403, 'mfa_required')
    expectError(await session.send(`${ADMIN}/config`), 403, 'forbidden')
  })

  it('proves it, sets up an authenticator app and reaches the app; Email code keeps not counting', async () => {
    const session = new CookieClient()
    await session.signIn(ONLY, undefined, '/dashboard')
    expect((await proveWithEmail(session, ONLY)).json()).toMatchObject({ next: 'enroll' })
    await enrollTotp(session)
    expect(mfaClaim(session)).toEqual({ c: { totp: expect.any(Number) }, v: true, e: ['totp', 'email_code', 'recovery_code'] })
    expect(okJson(await session.send('/api/secret')).marker).toBe('TOP-SECRET api')
    expect((await session.send('/dashboard')).status).toBe(200)

    // The first session completed Email code before it was switched off: that still opens nothing.
    expect(mfaClaim(only).c.email_code).toEqual(expect.any(Number))
    expect((await only.send('/api/secret')).status).toBe(403)
    const later = new CookieClient()
    await later.signIn(ONLY)
    expectError(await later.send('/api/secret'), 403, 'INVALID_CLAIMS')
    expectError(await later.send('/api/_guard/mfa/email/send', { json: { purpose: 'challenge' } }), 403, 'strategy_disabled')
    expectError(await challenge(later, { factor: 'email_code', code: '123456' }), 403, 'strategy_disabled')
    expect(okJson(await admin.send(`${ADMIN}/mfa/stranded`, { json: { mfa: okJson(await admin.send(`${ADMIN}/config`)).document.mfa } }))).toMatchObject({ stranded: 0, newlyStranded: 0 })
  })
})

describe('a member with another enabled factor', () => {
  it('is unaffected: the session carries on, and a new one is asked for the app code as before', async () => {
    expect((await both.send('/api/secret')).status).toBe(200)
    const laptop = new CookieClient()
    expect(okJson(await laptop.signIn(BOTH)).redirectTo).toBe('/mfa-challenge?redirect_url=%2F')
    expectError(await laptop.send('/api/secret'), 403, 'INVALID_CLAIMS')
    expectError(await laptop.send('/api/_guard/mfa/email/send', { json: { purpose: 'challenge' } }), 403, 'strategy_disabled')
    expect(okJson(await challenge(laptop, { factor: 'totp', code: bothApp.generate({ timestamp: Date.now() + 30_000 }) }))).toMatchObject({ completed: 'totp', satisfied: true })
    expect((await laptop.send('/api/secret')).status).toBe(200)
  })
})

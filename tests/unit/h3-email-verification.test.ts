/**
 * Verified email over HTTP, in process (real h3 app and handlers, real guard
 * on PGlite; see tests/support/h3-app.ts), with `account.emailVerification:
 * 'required'`: the page redirect to the verify page with the return path,
 * the API's 403 email_verification_required, the verify page and sign-out
 * reachable, the code from the outbox, and the very next request judged by
 * the token's new `email_verified`. From the attacker's side: a forged
 * claim (a token signed elsewhere, the claims template), another account's
 * code, the change of address onto an account that exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, decodeJwt, generateKeyPair } from 'jose'
import { listOutboxMessages } from '../../modules/guard/runtime/core/store/outbox'
import { BASIC_ROUTES, BASIC_SEED, PASSWORD, answerOf, startGuardApp, type AppClient, type GuardApp } from '../support/h3-app'

let app: GuardApp
/** The first account (the admin), verified. */
let admin: AppClient

beforeAll(async () => {
  app = await startGuardApp({
    seed: {
      ...BASIC_SEED,
      account: { emailVerification: 'required' },
      routes: { ...BASIC_ROUTES, rules: [...BASIC_ROUTES.rules, { pattern: '/account/**', require: { roles: ['member', 'admin'] } }] },
    },
  })
  const first = await signedUp('admin')
  admin = first.client
  expect((await admin.send('/api/_guard/email-verification/confirm', { json: { code: await outboxCode(first.email) } })).status).toBe(200)
}, 60_000)
afterAll(async () => { await app?.close() })

let counter = 0
/** A new user, signed up through the API (the verification email goes out after the answer). */
async function signedUp(label: string): Promise<{ client: AppClient; email: string; redirectTo: string }> {
  const client = app.client()
  const email = `${label}-${++counter}@h3-verify.test`
  const response = await client.send('/api/_guard/sign-up', { json: { email, password: PASSWORD, redirect_url: '/dashboard?tab=2' } })
  expect(response.status).toBe(200)
  return { client, email, redirectTo: response.json().redirectTo }
}

/** The newest code the outbox holds for an address (waits for the email sent after the answer). */
async function outboxCode(to: string, subject = 'Verify your email address'): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const message = (await listOutboxMessages(app.guard.db, { to })).find(found => found.subject.endsWith(subject))
    const code = message && /code is ([A-Z0-9-]+)\./.exec(message.text)?.[1]
    if (code) return code
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`no "${subject}" email reached ${to}`)
}
const tokenOf = (client: AppClient) => decodeJwt(client.cookies.get('guard_session')!)

describe('account.emailVerification: required', () => {
  it('sign-up answers with the verify page as the next step, and emails a code after the answer', async () => {
    const { email, redirectTo, client } = await signedUp('next')
    expect(redirectTo).toBe('/verify-email?redirect_url=%2Fdashboard%3Ftab%3D2')
    expect(tokenOf(client).email_verified).toBe(false)
    expect(await outboxCode(email)).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/)
  })

  it('an unverified user: pages redirect to the verify page with the return path, the API answers 403 email_verification_required', async () => {
    const { client } = await signedUp('refused')
    const page = await client.send('/dashboard?tab=2')
    expect(page.status).toBe(302)
    expect(page.headers.location).toBe('/verify-email?redirect_url=%2Fdashboard%3Ftab%3D2')
    const form = await client.send('/dashboard', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })
    expect([form.status, form.headers.location]).toEqual([303, '/verify-email?redirect_url=%2Fdashboard'])
    const api = await client.send('/api/secret')
    expect(api.status).toBe(403)
    expect(api.headers.location).toBeUndefined()
    expect(api.json()).toEqual({ error: 'email_verification_required', error_description: expect.stringContaining('Verify your email address') })
    // Client-side navigation follows the same verdict.
    const verdict = (await client.send('/api/_guard/verdict?path=%2Freports')).json()
    expect(verdict).toMatchObject({ allow: false, status: 403, error: 'email_verification_required', redirect: '/verify-email?redirect_url=%2Freports' })
  })

  it('the verify page, the account\'s own address API and sign-out stay reachable while unverified', async () => {
    const { client, email } = await signedUp('reach')
    expect(answerOf(await client.send('/verify-email'))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await client.send('/verify-email?redirect_url=%2Fdashboard'))).toMatchObject({ status: 200, served: true })
    expect((await client.send('/api/_guard/account/email')).json()).toEqual({ email, emailVerified: false, emailVerification: 'required', pendingChange: null })
    expect((await client.send('/api/_guard/sign-out', { json: {} })).json()).toEqual({ signedOut: true })
    expect(answerOf(await client.send('/verify-email'))).toMatchObject({ status: 302, to: '/sign-in' })
  })

  it('the emailed code verifies the address: the same response carries a token with email_verified true, and the very next request is let through', async () => {
    const { client, email } = await signedUp('verify')
    const code = await outboxCode(email)
    const answer = await client.send('/api/_guard/email-verification/confirm', { json: { code } })
    expect(answer.status).toBe(200)
    expect(answer.json()).toEqual({ verified: true, email })
    expect(tokenOf(client).email_verified).toBe(true)
    expect(answerOf(await client.send('/dashboard'))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await client.send('/api/secret'))).toMatchObject({ status: 200, served: true })
    // Used once: sent again (a second click), the verified address answers as verified and nothing changes.
    const again = await client.send('/api/_guard/email-verification/confirm', { json: { code } })
    expect([again.status, again.json()]).toEqual([200, { verified: true, email }])
  })

  it('another session of the same user carries the new value from its next request (no sign-in again)', async () => {
    const { client, email } = await signedUp('second')
    const other = app.client()
    expect((await other.signIn(email)).status).toBe(200)
    expect((await other.send('/api/secret')).status).toBe(403)
    await client.send('/api/_guard/email-verification/confirm', { json: { code: await outboxCode(email) } })
    expect(answerOf(await other.send('/api/secret'))).toMatchObject({ status: 200, served: true })
    expect(tokenOf(other).email_verified).toBe(true)
  })

  it('another account\'s code does not verify mine; a guessed one counts down', async () => {
    const alice = await signedUp('alice')
    const mallory = await signedUp('mallory')
    const stolen = await outboxCode(alice.email)
    const wrong = await mallory.client.send('/api/_guard/email-verification/confirm', { json: { code: stolen } })
    expect(wrong.status).toBe(400)
    expect(wrong.json()).toMatchObject({ error: 'invalid_verification_code', attemptsRemaining: 4 })
    expect((await mallory.client.send('/api/secret')).status).toBe(403)
  })

  it('a forged email_verified is worthless: a token signed elsewhere, and a claims template that tries to set it', async () => {
    const { client } = await signedUp('forger')
    const real = tokenOf(client)
    const { privateKey } = await generateKeyPair('ES256')
    const forged = await new SignJWT({ ...real, email_verified: true }).setProtectedHeader({ alg: 'ES256', kid: 'attacker', typ: 'JWT' }).sign(privateKey)
    expect((await app.request('/api/secret', { headers: { cookie: `guard_session=${forged}` } })).status).toBe(401)
    // A template key email_verified never validates, so no save can make the token say it.
    const check = await admin.send('/api/_guard/admin/config/validate', { json: { document: { ...BASIC_SEED, claims: { template: { email_verified: true } } } } })
    expect(JSON.stringify(check.json())).toMatch(/claims\.template\.email_verified.*already carries it|already carries it.*claims\.template\.email_verified/)
  })
})

describe('changing the address over HTTP', () => {
  it('to an address another account holds: 409 email_taken after the password (and no email to that account)', async () => {
    const holder = await signedUp('holder')
    const { client } = await signedUp('taker')
    const wrong = await client.send('/api/_guard/account/email/request', { json: { email: holder.email, currentPassword: 'not my password' } })
    expect([wrong.status, wrong.json().error]).toEqual([422, 'incorrect_password'])
    const taken = await client.send('/api/_guard/account/email/request', { json: { email: holder.email.toUpperCase(), currentPassword: PASSWORD } })
    expect(taken.status).toBe(409)
    expect(taken.json()).toMatchObject({ error: 'email_taken', field: 'email' })
    expect((await listOutboxMessages(app.guard.db, { to: holder.email })).filter(m => m.subject.endsWith('Confirm your new email address'))).toEqual([])
  })

  it('an unverified user fixes a mistyped address from the verify page: the code goes to the new address, the change verifies it, the old address is told', async () => {
    const { client, email } = await signedUp('typo')
    const fixed = `fixed-${counter}@h3-verify.test`
    const asked = await client.send('/api/_guard/account/email/request', { json: { email: fixed, currentPassword: PASSWORD } })
    expect(asked.json()).toEqual({ sentTo: fixed, expiresInSeconds: 1800 })
    expect((await client.send('/api/_guard/account/email')).json()).toMatchObject({ email, pendingChange: { email: fixed } })
    const confirmed = await client.send('/api/_guard/account/email/confirm', { json: { code: await outboxCode(fixed, 'Confirm your new email address') } })
    expect(confirmed.json()).toEqual({ email: fixed, emailVerified: true, previousEmail: email })
    expect(tokenOf(client)).toMatchObject({ email: fixed, email_verified: true })
    expect(answerOf(await client.send('/dashboard'))).toMatchObject({ status: 200, served: true })
    await expect.poll(async () => (await listOutboxMessages(app.guard.db, { to: email })).map(m => m.subject)).toContainEqual(expect.stringMatching(/Your email address was changed$/))
  })
})

/**
 * Sign-up tells no one which addresses have accounts with
 * `account.enumerationProtection` on: a new address and a
 * taken one get the same status and body, no cookies, and only the mailbox
 * learns the difference (a code, or a notice to the owner). The code then
 * signs in; from the attacker's side it works once, only for its address,
 * and a wrong code answers the same for every address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listOutboxMessages } from '../../modules/guard/runtime/core/store/outbox'
import { BASIC_SEED } from '../fixtures/basic/guard-seed'
import { AppClient, startGuardApp, type GuardApp } from '../support/h3-app'

let app: GuardApp
const PASSWORD = 'correct horse battery staple'
const OWNER = 'owner@enumeration.test'

beforeAll(async () => {
  app = await startGuardApp({ seed: { ...BASIC_SEED, account: { enumerationProtection: true } } })
  expect((await new AppClient(app.origin).signUp('first@enumeration.test', PASSWORD)).status).toBe(200) // the first user: signed in at once
  const owner = await signUpAs(OWNER)
  await finish(OWNER, await codeFor(OWNER))
  expect(owner.status).toBe(200)
}, 60_000)
afterAll(async () => { await app?.close() })

function signUpAs(email: string, client = new AppClient(app.origin)) {
  return client.send('/api/_guard/sign-up', { json: { email, password: PASSWORD } })
}
async function mailTo(email: string) {
  await new Promise(resolve => setTimeout(resolve, 50)) // mail leaves after the answer
  return (await listOutboxMessages(app.guard.db, { to: email, limit: 5 }))
}
async function codeFor(email: string) {
  const [latest] = await mailTo(email)
  return /code is ([A-Z0-9-]+)\./.exec(latest!.text)![1]!
}
function finish(email: string, code: string, client = new AppClient(app.origin)) {
  return client.send('/api/_guard/email-verification/sign-in', { json: { email, code } })
}

describe('sign-up with enumeration protection', () => {
  it('a new and a taken address get the same status and body, and no session', async () => {
    const fresh = new AppClient(app.origin)
    const taken = new AppClient(app.origin)
    const a = await signUpAs('newcomer@enumeration.test', fresh)
    const b = await signUpAs(OWNER.toUpperCase(), taken)
    const shape = (answer: typeof a, email: string) => ({ status: answer.status, body: answer.body.replaceAll(encodeURIComponent(email), 'E').replaceAll(email, 'E'), cookies: answer.headers['set-cookie'] ?? [] })
    expect(shape(a, 'newcomer@enumeration.test')).toEqual(shape(b, OWNER))
    expect(a.json()).toMatchObject({ verificationRequired: true, expiresInSeconds: 1800 })
    expect((await fresh.send('/api/_guard/session')).status).toBe(401)
    expect((await taken.send('/api/_guard/session')).status).toBe(401)
  })

  it('only the mailbox learns which: a code for the new address, a notice (no code) for the owner', async () => {
    expect((await mailTo('newcomer@enumeration.test'))[0]!.text).toMatch(/verification code is [A-Z0-9-]+/)
    const [notice] = await mailTo(OWNER)
    expect(notice!.subject).toBe('Someone tried to create an account with your address')
    expect(notice!.text).not.toMatch(/code is/)
  })

  it('the code signs in once; its address is verified', async () => {
    const client = new AppClient(app.origin)
    const code = await codeFor('newcomer@enumeration.test')
    expect((await finish('newcomer@enumeration.test', code, client)).status).toBe(200)
    expect((await client.send('/api/_guard/session')).json().claims).toMatchObject({ email_verified: true })
    expect((await finish('newcomer@enumeration.test', code)).json()).toMatchObject({ error: 'invalid_verification_code' })
  })

  it('a wrong code, another address\'s code, and an unknown address all answer the same 400', async () => {
    await signUpAs('second@enumeration.test')
    const code = await codeFor('second@enumeration.test')
    const wrong = await finish('second@enumeration.test', 'AAAAA-AAAAA')
    const crossed = await finish('nobody@enumeration.test', code)
    const owners = await finish(OWNER, code)
    for (const answer of [wrong, crossed, owners]) expect([answer.status, answer.body]).toEqual([wrong.status, wrong.body])
    expect(wrong.json()).toEqual({ error: 'invalid_verification_code', error_description: expect.any(String) })
    expect((await finish('second@enumeration.test', code)).status).toBe(200) // its own code still works
  })
})

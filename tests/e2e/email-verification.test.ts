/**
 * Verified email over HTTP against the built fixture: sign up, the code from
 * the outbox, verify, and the token says `email_verified: true`; an admin who
 * verified switches `account.emailVerification` to `required` and a new user
 * is then led to the verify page (which renders) until verified; changing
 * the address onto one another account holds is refused; a change takes
 * effect with the code sent to the new address and the old address is told.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { decodeJwt } from 'jose'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { ADMIN, okJson } from '../support/admin-api'

const PASSWORD = 'correct horse battery'
await setup(fixtureSetup('basic', { NUXT_PUBLIC_GUARD_APP_NAME: 'Acme Verify', NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'off' } }) }))

const admin = new CookieClient()
const ADMIN_EMAIL = 'admin@verify.test'

type Message = { to: string; subject: string; text: string }
/** The newest outbox message to `to` whose subject ends with `subject` (the emails go out just after the answers). */
async function mail(to: string, subject: string): Promise<Message> {
  for (let i = 0; i < 50; i++) {
    const { messages } = okJson<{ messages: Message[] }>(await admin.send(`${ADMIN}/outbox`))
    const found = messages.find(message => message.to === to && message.subject === `Acme Verify: ${subject}`)
    if (found) return found
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`no "${subject}" email to ${to}`)
}
const codeIn = (message: Message) => /code is ([A-Z0-9-]+)\./.exec(message.text)![1]!
const claimsOf = (client: CookieClient) => decodeJwt(client.cookies.get('guard_session')!)

beforeAll(async () => {
  expect((await admin.signUp(ADMIN_EMAIL)).status).toBe(200)
})

describe('verify the address', () => {
  it('sign-up emails a code (link to the verify page included); confirming it re-mints the token with email_verified true', async () => {
    expect(claimsOf(admin).email_verified).toBe(false)
    const message = await mail(ADMIN_EMAIL, 'Verify your email address')
    const code = codeIn(message)
    expect(message.text).toContain(`/verify-email?code=${code}`)
    const confirmed = await admin.send('/api/_guard/email-verification/confirm', { json: { code } })
    expect(okJson(confirmed)).toEqual({ verified: true, email: ADMIN_EMAIL })
    expect(claimsOf(admin).email_verified).toBe(true)
    expect(okJson(await admin.send('/api/_guard/session')).claims.email_verified).toBe(true)
    // The code again (a second click): answered as verified, and nothing happens a second time.
    expect(okJson(await admin.send('/api/_guard/email-verification/confirm', { json: { code } }))).toEqual({ verified: true, email: ADMIN_EMAIL })
    const { entries } = okJson<{ entries: { action: string; target: string }[] }>(await admin.send(`${ADMIN}/audit?limit=200`))
    expect(entries.filter((entry) => entry.action === 'user.email_verified' && entry.target === claimsOf(admin).sub)).toHaveLength(1)
  })

  it('under required verification a new user is led to the verify page, which renders, until the code is in', async () => {
    const { version, document } = okJson(await admin.send(`${ADMIN}/config`))
    const saved = await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document: { ...document, account: { ...document.account, emailVerification: 'required' } } } })
    expect(saved.status).toBe(200)

    const user = new CookieClient()
    const email = 'new@verify.test'
    const signUp = await user.send('/api/_guard/sign-up', { json: { email, password: PASSWORD, redirect_url: '/dashboard' } })
    expect(okJson(signUp).redirectTo).toBe('/verify-email?redirect_url=%2Fdashboard')
    const page = await user.send('/dashboard')
    expect([page.status, page.headers.location]).toEqual([302, '/verify-email?redirect_url=%2Fdashboard'])
    const api = await user.send('/api/secret')
    expect(api.status).toBe(403)
    expect(JSON.parse(api.body)).toMatchObject({ error: 'email_verification_required' })
    const verifyPage = await user.send('/verify-email?redirect_url=%2Fdashboard')
    expect(verifyPage.status).toBe(200)
    expect(verifyPage.body).toContain('Verify your email')
    expect(verifyPage.body).toContain(email)

    const resent = okJson(await user.send('/api/_guard/email-verification/send', { json: {} }))
    expect(resent).toEqual({ verified: false, sentTo: email, expiresInSeconds: 1800 })
    okJson(await user.send('/api/_guard/email-verification/confirm', { json: { code: codeIn(await mail(email, 'Verify your email address')) } }))
    expect(claimsOf(user).email_verified).toBe(true)
    expect((await user.send('/dashboard')).status).toBe(200)
  })
})

describe('change the address', () => {
  it('onto an address another account holds: 409 email_taken (after the password), nothing sent there', async () => {
    const user = new CookieClient()
    expect((await user.signUp('taker@verify.test')).status).toBe(200)
    const refused = await user.send('/api/_guard/account/email/request', { json: { email: ADMIN_EMAIL, currentPassword: PASSWORD } })
    expect(refused.status).toBe(409)
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'email_taken', field: 'email' })
    const { messages } = okJson<{ messages: Message[] }>(await admin.send(`${ADMIN}/outbox`))
    expect(messages.filter(message => message.to === ADMIN_EMAIL && message.subject.endsWith('Confirm your new email address'))).toEqual([])
  })

  it('the code goes to the new address; once confirmed the account moves there, verified, and the old address is told', async () => {
    const user = new CookieClient()
    const from = 'mover@verify.test'
    const to = 'moved@verify.test'
    expect((await user.signUp(from)).status).toBe(200)
    expect(okJson(await user.send('/api/_guard/account/email/request', { json: { email: to, currentPassword: PASSWORD } }))).toEqual({ sentTo: to, expiresInSeconds: 1800 })
    const code = codeIn(await mail(to, 'Confirm your new email address'))
    expect(okJson(await user.send('/api/_guard/account/email/confirm', { json: { code } }))).toEqual({ email: to, emailVerified: true, previousEmail: from })
    expect(claimsOf(user)).toMatchObject({ email: to, email_verified: true })
    const notice = await mail(from, 'Your email address was changed')
    expect(notice.text).not.toContain(to)
    expect((await new CookieClient().signIn(to)).status).toBe(200)
    expect((await new CookieClient().signIn(from)).status).toBe(401)
    const { entries } = okJson<{ entries: { action: string }[] }>(await admin.send(`${ADMIN}/audit`))
    expect(entries.map(entry => entry.action)).toEqual(expect.arrayContaining(['user.email_verified', 'user.email_change_requested', 'user.email_changed']))
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, launchBrowser, screenshot } from '../support/browser'
import { type AuthenticatorApp, signUpWithTotp, submitCredentials, waitForPath } from '../support/browser-journeys'

const PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'a whole new passphrase'

/** The newest reset code emailed to `to`, read from the outbox by the admin. */
async function emailedResetCode(adminPage: Page, to: string): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const { messages } = await (await adminPage.request.get('/api/_guard/admin/outbox')).json() as { messages: { to: string; subject: string; text: string }[] }
    const code = messages.find(message => message.to === to && message.subject.includes('Reset your password'))?.text.match(/code is ([A-Z0-9-]+)\./)?.[1]
    if (code) return code
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`no reset email reached ${to} within 10 s`)
}

/** The authenticator's next unused code, waiting for the next 30 s step when this one's codes are spent. */
async function freshCode(app: AuthenticatorApp): Promise<string> {
  for (;;) {
    try { return app.nextCode() }
    catch { await new Promise(resolve => setTimeout(resolve, 1_000)) }
  }
}

// Forgot password, with MFA on: the code from the outbox, the authenticator code the reset asks
// for, a new password, sign in with it, the second factor again, and the app.
describe('journey: forgot password → emailed code → new password → sign in → second factor → app', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page
  let member: Page
  let authenticator: AuthenticatorApp

  beforeAll(async () => {
    // The application's name, at run time: the pages' titles and headings say it.
    process.env.NUXT_PUBLIC_GUARD_APP_NAME = 'Acme'
    try { app = await startApp({ mfa: { enforce: 'all' } }) }
    finally { delete process.env.NUXT_PUBLIC_GUARD_APP_NAME }
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    member = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    await signUpWithTotp(admin, app.origin, 'ada@acme.test', PASSWORD)
    authenticator = await signUpWithTotp(member, app.origin, 'bo@acme.test', PASSWORD)
    await member.context().clearCookies()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('resets the password with the emailed code and the authenticator, then signs in with the new one', async () => {
    await member.goto('/sign-in')
    await member.getByRole('link', { name: 'Forgot password?' }).click()
    await waitForPath(member, '/forgot-password')
    await member.getByRole('heading', { name: 'Reset your password' }).waitFor()
    expect(await member.title()).toBe('Reset your password · Acme')
    await member.fill('input[name=email]', 'bo@acme.test')
    await member.getByRole('button', { name: 'Send the code' }).click()
    await member.locator('input[name=code]').waitFor()
    await screenshot(member, 'journey-reset-1-code')

    await member.fill('input[name=code]', await emailedResetCode(admin, 'bo@acme.test'))
    await member.fill('input[name=password]', NEW_PASSWORD)
    await member.getByRole('button', { name: 'Set the new password' }).click()
    // The account has an authenticator app: the reset asks for it too.
    await expect.poll(() => member.getByRole('alert').innerText(), { timeout: 10_000 }).toContain('second factor')
    await member.fill('input[name=factorCode]', await freshCode(authenticator))
    await screenshot(member, 'journey-reset-2-second-factor')
    await member.getByRole('button', { name: 'Set the new password' }).click()
    await member.getByText('Your password has been changed').waitFor({ timeout: 10_000 })

    await member.locator('#main').getByRole('link', { name: 'Sign in', exact: true }).click()
    await waitForPath(member, '/sign-in')
    await member.getByRole('heading', { name: 'Sign in to Acme' }).waitFor()
    await submitCredentials(member, 'bo@acme.test', NEW_PASSWORD)
    await waitForPath(member, '/mfa-challenge')
    await member.locator('input[name=code]').waitFor()
    await member.fill('input[name=code]', await freshCode(authenticator))
    await member.getByRole('button', { name: 'Verify', exact: true }).click()
    await waitForPath(member, '/dashboard')
    const claims = JSON.parse(await member.locator('[data-testid=claims]').innerText({ timeout: 10_000 }))
    expect(claims.email).toBe('bo@acme.test')
  }, 120_000)
})

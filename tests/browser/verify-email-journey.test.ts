import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'
import { submitCredentials, waitForPath } from '../support/browser-journeys'

const PASSWORD = 'correct horse battery'

/** The code in the newest outbox email to `to` whose subject ends with `subject`, read by the admin. */
async function emailedCode(adminPage: Page, to: string, subject: string, newerThan = 0): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const { messages } = await (await adminPage.request.get('/api/_guard/admin/outbox')).json() as { messages: { id: number; to: string; subject: string; text: string }[] }
    const code = messages.find(message => message.id > newerThan && message.to === to && message.subject.endsWith(subject))?.text.match(/code is ([A-Z0-9-]+)\./)?.[1]
    if (code) return code
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`no "${subject}" email reached ${to} within 10 s`)
}

/** Signs up on the sign-up page. */
async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/sign-up')
  await submitCredentials(page, email, PASSWORD)
}

// Verified email: the admin verifies on the account page and requires it; a new member (on a
// phone) is led to the verify page after sign-up, types the emailed code and reaches the app,
// then changes the address on the account page with the code sent to the new one. Both sizes.
describe('journey: sign up → verify page → emailed code → app → change email', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page

  beforeAll(async () => {
    app = await startApp({ mfa: { enforce: 'off' } })
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    await signUp(admin, 'ada@acme.test')
    await admin.waitForURL(url => new URL(url).pathname !== '/sign-up', { timeout: 15_000 })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('the admin verifies on the account page (1280×800), then requires verified addresses', async () => {
    await admin.goto('/account/security')
    const panel = admin.locator('[data-testid=email-panel]')
    await panel.getByText('not verified').waitFor()
    // The sign-up's own code is voided by this new one: wait for the newer email, not the first.
    const { messages: before } = await (await admin.request.get('/api/_guard/admin/outbox')).json() as { messages: { id: number }[] }
    const newest = Math.max(0, ...before.map(message => message.id))
    await panel.getByRole('button', { name: 'Verify', exact: true }).click()
    await panel.locator('input[name=code]').fill(await emailedCode(admin, 'ada@acme.test', 'Verify your email address', newest))
    await screenshot(admin, 'journey-verify-1-account-code-desktop')
    await panel.getByRole('button', { name: 'Verify', exact: true }).click()
    await panel.locator('.badge.ok', { hasText: 'verified' }).waitFor({ timeout: 10_000 })

    const { version, document } = await (await admin.request.get('/api/_guard/admin/config')).json()
    const saved = await admin.request.put('/api/_guard/admin/config', { data: { version, document: { ...document, account: { ...document.account, emailVerification: 'required' } } } })
    expect(saved.status()).toBe(200)
  }, 60_000)

  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    it(`a new member (${viewport.width}×${viewport.height}) is led to the verify page, verifies with the emailed code and reaches the app`, async () => {
      const member = await (await browser.newContext({ viewport, baseURL: app.origin })).newPage()
      const email = `bo-${size}@acme.test`
      await signUp(member, email)
      await waitForPath(member, '/verify-email')
      await member.getByRole('heading', { name: 'Verify your email' }).waitFor()
      await member.locator('[data-testid=verify-sent-to]', { hasText: email }).waitFor()
      // Any other page sends them back here, with the way back.
      await member.goto('/notes')
      await waitForPath(member, '/verify-email')
      expect(new URL(member.url()).searchParams.get('redirect_url')).toBe('/notes')
      await member.goto('/verify-email?redirect_url=%2Fdashboard')
      await member.fill('input[name=code]', await emailedCode(admin, email, 'Verify your email address'))
      await screenshot(member, `journey-verify-2-verify-page-${size}`)
      const width = await member.evaluate(() => document.documentElement.scrollWidth)
      expect(width).toBeLessThanOrEqual(viewport.width)
      await member.getByRole('button', { name: 'Verify', exact: true }).click()
      await waitForPath(member, '/dashboard')

      // Change the address from the account page: the code goes to the new one.
      const moved = `bo-${size}-new@acme.test`
      await member.goto('/account/security')
      const panel = member.locator('[data-testid=email-panel]')
      await panel.getByRole('button', { name: 'Change email' }).click()
      await panel.locator('input[name=email]').fill(moved)
      await panel.locator('input[name=current-password]').fill(PASSWORD)
      await panel.getByRole('button', { name: 'Send the code' }).click()
      await panel.getByText(`We sent a code to ${moved}`).waitFor({ timeout: 10_000 })
      await panel.locator('input[name=change-code]').fill(await emailedCode(admin, moved, 'Confirm your new email address'))
      await screenshot(member, `journey-verify-3-change-code-${size}`)
      expect(await member.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width)
      await panel.getByRole('button', { name: 'Change my address' }).click()
      await panel.locator('[data-testid=current-email]', { hasText: moved }).waitFor({ timeout: 10_000 })
      await panel.locator('.badge.ok', { hasText: 'verified' }).waitFor()
      await emailedCode(admin, email, 'Your email address was changed').catch(() => undefined)
      const { messages } = await (await admin.request.get('/api/_guard/admin/outbox')).json() as { messages: { to: string; subject: string }[] }
      expect(messages.some(message => message.to === email && message.subject.endsWith('Your email address was changed'))).toBe(true)
      await member.context().close()
    }, 120_000)
  }

  it('with enumeration protection (390×844), sign-up asks for the emailed code on the same page, and a taken address looks the same', async () => {
    const { version, document } = await (await admin.request.get('/api/_guard/admin/config')).json()
    const saved = await admin.request.put('/api/_guard/admin/config', { data: { version, document: { ...document, account: { ...document.account, enumerationProtection: true } } } })
    expect(saved.status()).toBe(200)
    const newcomer = await (await browser.newContext({ viewport: PHONE, baseURL: app.origin })).newPage()
    await signUp(newcomer, 'cy@acme.test')
    await newcomer.getByText('We sent a code to').waitFor({ timeout: 15_000 })
    expect(new URL(newcomer.url()).pathname).toBe('/sign-up')
    // The admin's own (taken) address gets the same page, and its owner a notice instead of a code.
    const stranger = await (await browser.newContext({ viewport: PHONE, baseURL: app.origin })).newPage()
    await signUp(stranger, 'ada@acme.test')
    await stranger.getByText('We sent a code to').waitFor({ timeout: 15_000 })
    expect(await stranger.locator('form').innerText()).toBe((await newcomer.locator('form').innerText()).replace('cy@acme.test', 'ada@acme.test'))
    await newcomer.fill('input[name=code]', await emailedCode(admin, 'cy@acme.test', 'Verify your email address'))
    await screenshot(newcomer, 'journey-verify-4-sign-up-code-phone')
    expect(await newcomer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    await newcomer.getByRole('button', { name: 'Verify and continue' }).click()
    await newcomer.waitForURL(url => new URL(url).pathname !== '/sign-up', { timeout: 15_000 })
    const session = await (await newcomer.request.get('/api/_guard/session')).json() as { claims: { email_verified?: boolean } }
    expect(session.claims.email_verified).toBe(true)
    await newcomer.context().close()
    await stranger.context().close()
  }, 120_000)
})

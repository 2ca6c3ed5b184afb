import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, launchBrowser, PHONE, screenshot } from '../support/browser'
import { enrollTotpOnPage, submitCredentials, waitForPath } from '../support/browser-journeys'

const PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'a whole new passphrase'

/** A fresh browser context (its own cookies) at `viewport`. */
async function newPage(browser: Browser, app: RunningApp, viewport: { width: number; height: number }): Promise<Page> {
  return (await browser.newContext({ viewport, baseURL: app.origin })).newPage()
}

async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/sign-up')
  await submitCredentials(page, email, PASSWORD)
  await page.waitForURL(url => new URL(url).pathname !== '/sign-up', { timeout: 15_000 })
}

async function fillPasswordForm(page: Page, current: string, next: string): Promise<void> {
  const panel = page.locator('[data-testid=password-panel]')
  await panel.locator('input[name=current-password]').fill(current)
  await panel.locator('input[name=new-password]').fill(next)
  await panel.locator('input[name=confirm-password]').fill(next)
  await panel.getByRole('button', { name: 'Change password' }).click()
}

const sessionStatus = async (page: Page) => (await page.request.get('/api/_guard/session')).status()

// Account security with MFA off for the site: change the password (phone and desktop), the step-up a
// stale second factor asks for, and deleting the account, which ends on the sign-in page.
describe('journey: change password → delete account', () => {
  let app: RunningApp
  let browser: Browser

  beforeAll(async () => {
    app = await startApp({ mfa: { enforce: 'off' } })
    browser = await launchBrowser()
    const first = await newPage(browser, app, DESKTOP)
    await signUp(first, 'ada@acme.test') // the first user: the admin
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('on a phone: a refused new password says why; the change signs the other device out; deleting lands on sign-in with a notice', async () => {
    const phone = await newPage(browser, app, PHONE)
    const laptop = await newPage(browser, app, DESKTOP)
    await signUp(phone, 'kai@acme.test')
    await laptop.goto('/sign-in')
    await submitCredentials(laptop, 'kai@acme.test', PASSWORD)
    await laptop.waitForURL(url => new URL(url).pathname !== '/sign-in', { timeout: 15_000 })
    expect(await sessionStatus(laptop)).toBe(200)

    await phone.goto('/account/security')
    const panel = phone.locator('[data-testid=password-panel]')
    await panel.getByRole('button', { name: 'Change password' }).click()
    expect(await panel.locator('input[name=signOutOfOtherSessions]').isChecked()).toBe(true)
    await fillPasswordForm(phone, PASSWORD, 'short')
    await expect.poll(() => panel.locator('[data-testid=new-password-error]').innerText(), { timeout: 10_000 }).not.toBe('')
    await screenshot(phone, 'journey-account-1-refused-password-phone')
    await fillPasswordForm(phone, PASSWORD, NEW_PASSWORD)
    await phone.getByText('Password changed. Signed out on 1 other device.').waitFor({ timeout: 10_000 })
    await screenshot(phone, 'journey-account-2-changed-phone')
    expect(await sessionStatus(phone)).toBe(200)
    expect(await sessionStatus(laptop)).toBe(401)

    const danger = phone.locator('[data-testid=delete-account-panel]')
    await danger.getByRole('button', { name: 'Delete my account…' }).click()
    const confirm = danger.getByRole('button', { name: 'Delete my account permanently' })
    await danger.locator('input[name=confirm-email]').fill('kai@acme.tes')
    await danger.locator('input[name=current-password]').fill(NEW_PASSWORD)
    expect(await confirm.isDisabled()).toBe(true)
    await danger.locator('input[name=confirm-email]').fill('kai@acme.test')
    await screenshot(phone, 'journey-account-3-delete-phone')
    await confirm.click()
    await waitForPath(phone, '/sign-in')
    await phone.getByText('was deleted and you were signed out everywhere').waitFor({ timeout: 10_000 })
    await screenshot(phone, 'journey-account-4-deleted-phone')
    expect(await sessionStatus(phone)).toBe(401)
    await submitCredentials(phone, 'kai@acme.test', NEW_PASSWORD)
    await phone.getByRole('alert').filter({ hasText: /incorrect/i }).waitFor({ timeout: 10_000 })
  }, 120_000)

  it('on a desktop: with an authenticator app and a password-only session, the change asks for the second factor first, then goes through', async () => {
    const page = await newPage(browser, app, DESKTOP)
    await signUp(page, 'lu@acme.test')
    await page.goto('/account/manage-mfa/add')
    const authenticator = await enrollTotpOnPage(page)
    // A new sign-in with the password only (the site does not ask for MFA): no second factor in this session.
    await page.context().clearCookies()
    await page.goto('/sign-in')
    await submitCredentials(page, 'lu@acme.test', PASSWORD)
    await page.waitForURL(url => new URL(url).pathname !== '/sign-in', { timeout: 15_000 })

    await page.goto('/account/security')
    const panel = page.locator('[data-testid=password-panel]')
    await panel.getByRole('button', { name: 'Change password' }).click()
    await fillPasswordForm(page, PASSWORD, NEW_PASSWORD)
    await panel.getByText('Confirm it’s you first.').waitFor({ timeout: 10_000 })
    await screenshot(page, 'journey-account-5-step-up-desktop')
    await panel.getByRole('button', { name: 'Confirm it’s you' }).click()
    await waitForPath(page, '/mfa-challenge')
    await page.getByText('This page needs a fresh confirmation').waitFor()
    await page.fill('input[name=code]', authenticator.nextCode())
    await page.getByRole('button', { name: 'Verify', exact: true }).click()
    await waitForPath(page, '/account/security')
    expect(new URL(page.url()).hash).toBe('#change-password')
    await fillPasswordForm(page, PASSWORD, NEW_PASSWORD)
    await page.getByText('Password changed.').waitFor({ timeout: 10_000 })
    await screenshot(page, 'journey-account-6-changed-desktop')

    // The second factor is fresh now: deleting asks for the typed address only.
    const danger = page.locator('[data-testid=delete-account-panel]')
    await danger.getByRole('button', { name: 'Delete my account…' }).click()
    expect(await danger.locator('input[name=current-password]').count()).toBe(0)
    await danger.locator('input[name=confirm-email]').fill('lu@acme.test')
    await danger.getByRole('button', { name: 'Delete my account permanently' }).click()
    await waitForPath(page, '/sign-in')
    await page.getByText('was deleted and you were signed out everywhere').waitFor({ timeout: 10_000 })
    await screenshot(page, 'journey-account-7-deleted-desktop')
  }, 120_000)
})

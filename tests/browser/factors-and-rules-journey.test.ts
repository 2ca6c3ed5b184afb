import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'
import {
  type AuthenticatorApp, configVersion, emailedCode, enrollEmailOnPage, screenshotOnScreen, signOutAndIn, signUpWithTotp, waitForPath, acmeRoutes,
} from '../support/browser-journeys'

// A page can take a few seconds to answer on a busy two-core machine: poll for up to 10 s, not 1.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 100 } } })

const PASSWORD = 'correct horse battery'
const MEMBER = 'bo@acme.test'

// Journeys c and d of issue 5: the admin changes which second factors exist and
// which routes need what, and a member's very next screens follow.
describe('journeys c + d: strategy switches and a new route rule, seen by a member', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page
  let member: Page
  let memberApp: AuthenticatorApp
  const outboxSeen = new Set<string>()

  beforeAll(async () => {
    app = await startApp({
      // Email codes start switched off (the schema default). The requirement already
      // accepts them, so this journey is about the strategy switches alone.
      mfa: { enforce: 'all', requirements: [{ oneOf: ['totp', 'webauthn', 'email_code'] }] },
      // The playground's routes without its /reports/** page rule: the admin adds it in journey d.
      routes: acmeRoutes([
        { pattern: '/admin/**', require: { roles: ['admin'], mfa: true } },
        { pattern: '/api/reports/**', require: { permissions: ['reports:read'] } },
      ]),
    })
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    member = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    await signUpWithTotp(admin, app.origin, 'ada@acme.test', PASSWORD)
    memberApp = await signUpWithTotp(member, app.origin, MEMBER, PASSWORD)
    await waitForPath(member, '/dashboard')
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  async function saveInConsole(): Promise<void> {
    const before = await configVersion(admin)
    await admin.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => admin.getByText(`Saved as version ${before + 1}`).count()).toBe(1)
    expect(await configVersion(admin)).toBe(before + 1)
  }

  it('c. the admin turns email codes on; admin and member each add an email factor', async () => {
    await admin.goto('/admin/mfa')
    const email = admin.locator('#strategy-email_code')
    await email.waitFor()
    expect(await email.isChecked()).toBe(false)
    await email.check()
    await saveInConsole()

    // The admin enrolls email too, in this session: once TOTP is off, a completed
    // TOTP no longer counts, and the admin still needs the console.
    await enrollEmailOnPage(admin, admin, 'ada@acme.test', outboxSeen)
    await enrollEmailOnPage(member, admin, MEMBER, outboxSeen)
    const factors = await (await member.request.get('/api/_guard/mfa/factors')).json()
    expect(factors.enrolled.map((factor: { type: string }) => factor.type).sort()).toEqual(['email_code', 'totp'])
  })

  it('c. with both on, the member’s challenge page offers both; with TOTP switched off, only email', async () => {
    await signOutAndIn(member, MEMBER, PASSWORD)
    await waitForPath(member, '/mfa-challenge')
    const tabs = member.getByRole('tab')
    await expect.poll(async () => Promise.all((await tabs.all()).map(tab => tab.getAttribute('data-factor')))).toEqual(['totp', 'email_code'])
    expect(await tabs.allInnerTexts()).toEqual(['App code', 'Email'])
    await screenshot(member, 'journey-c-challenge-both-desktop')
    await member.fill('input[name=code]', memberApp.nextCode())
    await member.getByRole('button', { name: 'Verify', exact: true }).click()
    await waitForPath(member, '/dashboard')

    await admin.goto('/admin/mfa')
    const totp = admin.locator('#strategy-totp')
    await totp.waitFor()
    await totp.uncheck()
    await screenshot(admin, 'journey-c-totp-off-desktop')
    await saveInConsole()
    const live = await (await admin.request.get('/api/_guard/admin/config')).json()
    expect(live.document.mfa.strategies).toMatchObject({ totp: false, email_code: true })

    await signOutAndIn(member, MEMBER, PASSWORD)
    await waitForPath(member, '/mfa-challenge')
    await expect.poll(() => member.locator('h2').first().innerText()).toBe('Email code')
    expect(await member.getByRole('tab').count()).toBe(0)
    expect(await member.locator('[data-factor=totp]').count()).toBe(0)
    expect(await member.getByText('Authenticator app').count()).toBe(0)
    expect(await member.getByText('App code').count()).toBe(0)
    // The toasts of before the sign-out are gone, and none is shown twice.
    const toasts = await member.locator('.toasts .toast').allInnerTexts()
    expect(toasts.join('\n')).not.toContain('Email code is on')
    expect(new Set(toasts).size).toBe(toasts.length)
    await member.setViewportSize(PHONE)
    await screenshot(member, 'journey-c-challenge-email-only-phone')
    await member.setViewportSize(DESKTOP)

    await member.getByRole('button', { name: 'Email me a code' }).click()
    await member.getByText('We sent a code to').waitFor()
    await member.fill('input[name=code]', await emailedCode(admin, MEMBER, outboxSeen))
    await member.getByRole('button', { name: 'Verify', exact: true }).click()
    await waitForPath(member, '/dashboard')
    await expect.poll(() => member.locator('h1').first().innerText()).toContain('Dashboard')

    // Adding another method no longer offers the authenticator app either.
    await member.goto('/account/manage-mfa/add')
    const choices = member.locator('button.choice[data-factor]')
    await choices.first().waitFor()
    expect(await Promise.all((await choices.all()).map(choice => choice.getAttribute('data-factor')))).not.toContain('totp')
    expect(await member.locator('button.choice[data-factor=email_code]').count()).toBe(1)
    await member.goto('/dashboard')
  })

  it('d. the admin adds a /reports/** rule needing a permission; the member’s next client-side navigation to /reports is refused without a reload', async () => {
    // Before the rule: signed-in members may open /reports.
    await member.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click()
    await waitForPath(member, '/reports')
    await expect.poll(() => member.locator('h1').first().innerText()).toBe('Reports')
    await member.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
    await waitForPath(member, '/dashboard')

    await admin.goto('/admin/routes')
    await admin.getByRole('button', { name: 'Add a rule' }).click()
    const index = (await (await admin.request.get('/api/_guard/admin/config')).json()).document.routes.rules.length
    await admin.fill(`#rule-${index}-pattern`, '/reports/**')
    await admin.fill(`#rule-${index}-roles`, '')
    await admin.locator(`#rule-${index}-roles`).press('Tab')
    await admin.fill(`#rule-${index}-permissions`, 'reports:read')
    await admin.locator(`#rule-${index}-permissions`).press('Tab')
    await screenshot(admin, 'journey-d-new-rule-desktop')
    await saveInConsole()
    const live = await (await admin.request.get('/api/_guard/admin/config')).json()
    expect(live.document.routes.rules[index]).toEqual({ pattern: '/reports/**', require: { permissions: ['reports:read'] } })

    // The member has not reloaded since; a marker on window proves it.
    await member.evaluate(() => { (window as unknown as { __marker: string }).__marker = 'same page load' })
    await member.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click()
    const refusal = member.locator('[data-testid=error-page]')
    await refusal.waitFor({ timeout: 15_000 })
    expect(await refusal.getAttribute('data-status')).toBe('403')
    expect(await refusal.innerText()).toContain('You don’t have access to this page')
    expect(await refusal.innerText()).toContain('/reports')
    expect(await member.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('same page load')
    expect(await member.locator('[data-testid=report]').count()).toBe(0)
    await screenshot(member, 'journey-d-refused-desktop')
  })

  it('d. the simulator explains the refusal: the matched rule and the missing permission', async () => {
    await admin.goto('/admin/simulator')
    await admin.fill('#sim-path', '/reports')
    await admin.check('#who-user')
    const picker = admin.locator('select#sim-user')
    await expect.poll(() => picker.locator('option', { hasText: MEMBER }).count()).toBe(1)
    await picker.selectOption((await picker.locator('option', { hasText: MEMBER }).getAttribute('value'))!)
    await admin.check('#sim-mfa')
    await admin.getByRole('button', { name: 'Explain' }).click()
    const verdict = admin.locator('.verdict')
    await verdict.waitFor()
    const text = await verdict.innerText()
    expect(text).toContain('Refused: 403')
    expect(text).toContain('reports:read')
    const matched = await admin.locator('.result .items').innerText()
    expect(matched).toContain('/reports/**')
    expect(matched).toContain('reports:read')
    await screenshot(admin, 'journey-d-simulator-desktop')
    await admin.setViewportSize(PHONE)
    await screenshotOnScreen(admin, 'journey-d-simulator-phone', verdict)
    await admin.setViewportSize(DESKTOP)
  })
})

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'
import { configVersion, enrollTotpOnPage, submitCredentials, waitForPath } from '../support/browser-journeys'

// A page can take a few seconds to answer on a busy two-core machine: poll for up to 10 s, not 1.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 100 } } })

const PASSWORD = 'correct horse battery'

// Journeys a and b of issue 5: a new app that forces MFA on everyone, then the
// admin changes the session-token claims in the console and a member's next
// request carries the new claim.
describe('journeys a + b: forced enrollment, then a claims template edited live', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page
  let member: Page

  beforeAll(async () => {
    // tokenTtlSeconds 10 (the minimum; default 60): the member below is signed in
    // BEFORE the admin saves, so its token is refreshed within ~10 s — the new claim
    // then comes from the saved template on the running server, no restart, no re-sign-in.
    app = await startApp({ mfa: { enforce: 'all' }, session: { tokenTtlSeconds: 10 } })
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    member = await (await browser.newContext({ viewport: PHONE, baseURL: app.origin, isMobile: true, hasTouch: true })).newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('a. the first account is sent to set up a second factor, enrolls an authenticator app and reaches the dashboard', async () => {
    await admin.goto('/sign-up')
    await submitCredentials(admin, 'ada@acme.test', PASSWORD)
    await waitForPath(admin, '/account/manage-mfa/add')
    await expect.poll(() => admin.locator('main, body').first().innerText()).toContain('This site requires a second factor')
    await screenshot(admin, 'journey-a-choose-method-desktop')

    await enrollTotpOnPage(admin, { shoot: what => screenshot(admin, `journey-a-${what}-desktop`) })

    await waitForPath(admin, '/dashboard')
    await expect.poll(() => admin.locator('h1').first().innerText()).toContain('Dashboard')
    await expect.poll(() => admin.getByText('two-step verification on').count()).toBe(1)
    await screenshot(admin, 'journey-a-dashboard-desktop')
    // Signed-in, MFA completed: the admin's claims say so.
    const session = await (await admin.request.get('/api/_guard/session')).json()
    expect(session.claims.isMfa).toBe(true)
    expect(session.roles).toEqual(['admin'])
  })

  it('a. on a phone, a second account goes through the same forced enrollment', async () => {
    await member.goto('/sign-up')
    await submitCredentials(member, 'bo@acme.test', PASSWORD)
    await waitForPath(member, '/account/manage-mfa/add')
    await enrollTotpOnPage(member, { shoot: what => screenshot(member, `journey-a-${what}-phone`) })
    await waitForPath(member, '/dashboard')
    await expect.poll(() => member.locator('h1').first().innerText()).toContain('Dashboard')
    await screenshot(member, 'journey-a-dashboard-phone')
  })

  /** The claims panel of the member's dashboard, after a page load (a new request to the server). */
  async function memberClaims(): Promise<Record<string, unknown>> {
    await member.goto('/dashboard')
    return JSON.parse(await member.locator('[data-testid=claims]').innerText())
  }

  it('b. the admin adds a "plan" claim in the claims editor, sees the preview change, saves; the member’s next request carries it', async () => {
    const before = await memberClaims()
    expect(before.email).toBe('bo@acme.test')
    expect(before).not.toHaveProperty('plan')
    const versionBefore = await configVersion(admin)

    await admin.goto('/admin')
    const editor = admin.locator('#claims-template')
    await expect.poll(() => editor.inputValue()).toContain('{{user.email}}')
    // Render the preview for the member (a real user), as the admin would to check.
    const picker = admin.locator('select#preview-user')
    await expect.poll(() => picker.locator('option', { hasText: 'bo@acme.test' }).count()).toBe(1)
    const memberId = await picker.locator('option', { hasText: 'bo@acme.test' }).getAttribute('value')
    await picker.selectOption(memberId!)
    const preview = admin.locator('[data-testid=claims-preview]')
    await expect.poll(async () => JSON.parse(await preview.innerText()).email).toBe('bo@acme.test')
    expect(JSON.parse(await preview.innerText())).not.toHaveProperty('plan')

    const template = JSON.parse(await editor.inputValue())
    const edited = { ...template, plan: '{{user.public_metadata.plan}}' }
    await editor.fill(JSON.stringify(edited, null, 2))
    // No public metadata is set for anyone (no API sets it yet): the shortcode renders null, and the key appears.
    await expect.poll(async () => JSON.parse(await preview.innerText())).toHaveProperty('plan', null)
    expect(await admin.getByRole('region', { name: 'Unsaved changes' }).innerText()).toContain('Unsaved changes')
    await screenshot(admin, 'journey-b-claims-preview-desktop')

    await admin.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => admin.getByText(`Saved as version ${versionBefore + 1}`).count()).toBe(1)
    await screenshot(admin, 'journey-b-claims-saved-desktop')
    expect(await configVersion(admin)).toBe(versionBefore + 1)
    const live = await (await admin.request.get('/api/_guard/admin/config')).json()
    expect(live.document.claims.template.plan).toBe('{{user.public_metadata.plan}}')

    // The member did nothing but keep browsing: once its 10 s token is refreshed, the claim is there.
    const savedAt = Date.now()
    await expect.poll(async () => memberClaims(), { timeout: 20_000, interval: 1_000 }).toHaveProperty('plan', null)
    expect(Date.now() - savedAt).toBeLessThan(10_000 + 5_000 + 3_000)
    const session = await (await member.request.get('/api/_guard/session')).json()
    expect(session.claims).toHaveProperty('plan', null)
    await screenshot(member, 'journey-b-member-claims-phone')
  })
})

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'
import { AuthenticatorApp, acmeRoutes, configVersion, emailedCode, signUpWithTotp, submitCredentials, verifyAddressOnPage, waitForPath } from '../support/browser-journeys'

// A page can take a few seconds to answer on a busy two-core machine: poll for up to 10 s, not 1.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 100 } } })

const PASSWORD = 'correct horse battery'
const MEMBER = 'cy@acme.test'

// Issue 11, part 3: the admin switches Email code off while it is a member's only factor.
// The console says so before saving; the member is told why, proves it is them with the
// email code one last time, sets up an authenticator app and reaches the app.
describe('journey: nobody is stranded by a switched-off factor', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page
  let member: Page
  const outboxSeen = new Set<string>()

  beforeAll(async () => {
    app = await startApp({
      mfa: { enforce: 'all', strategies: { email_code: true }, requirements: [{ oneOf: ['totp', 'webauthn', 'email_code'] }] },
      routes: acmeRoutes([{ pattern: '/admin/**', require: { roles: ['admin'], mfa: true } }]),
    })
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    member = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    await signUpWithTotp(admin, app.origin, 'ada@acme.test', PASSWORD)

    // The member's only factor: email codes (with the recovery codes of a first factor).
    await member.goto('/sign-up')
    await submitCredentials(member, MEMBER, PASSWORD)
    await waitForPath(member, '/account/manage-mfa/add')
    // Email codes are offered once the address is verified (the code sign-up emailed).
    await member.locator('[data-testid=email-code-needs-verification]').waitFor()
    await verifyAddressOnPage(member, admin, MEMBER)
    await member.reload()
    await member.locator('button.choice[data-factor=email_code]').click()
    await member.getByRole('button', { name: 'Send me a code' }).click()
    await member.fill('input[name=code]', await emailedCode(admin, MEMBER, outboxSeen))
    await member.getByRole('button', { name: 'Verify and turn on' }).click()
    await member.locator('[data-testid=codes-saved]').click()
    await waitForPath(member, '/dashboard')
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('the MFA screen says, before saving, whom switching Email code off strands; the simulator shows it for that member', async () => {
    await admin.goto('/admin/mfa')
    await admin.locator('#strategy-email_code').uncheck()
    const impact = admin.getByTestId('stranded-impact')
    await expect.poll(() => impact.locator('strong').innerText()).toBe('This change strands 1 user (1 whose only factor is Email code).')
    expect(await impact.innerText()).toContain('On their next request they will be asked to confirm it is them with that switched-off factor (or a recovery code), then to set up Authenticator app or Passkey before they reach the app.')
    await screenshot(admin, 'journey-stranded-console-desktop')

    await impact.getByRole('button', { name: MEMBER }).click()
    await waitForPath(admin, '/admin/simulator')
    await expect.poll(() => admin.getByTestId('sim-stranded').innerText()).toContain('Every second factor this user has is switched off (Email code)')
    expect(await admin.getByText(/^Redirected to \/mfa-challenge\?redirect_url=/).count()).toBe(1)
    const before = await configVersion(admin)
    await admin.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => admin.getByText(`Saved as version ${before + 1}`).count()).toBe(1)
  })

  it('the member is told why on the next request, proves it with the email code, sets up an app and reaches the app', async () => {
    await member.goto('/dashboard')
    await waitForPath(member, '/mfa-challenge')
    const notice = member.getByTestId('stranded-notice')
    await expect.poll(() => notice.innerText()).toContain('Email code is no longer used on this site.')
    expect((await notice.innerText()).replace(/\s+/g, ' ')).toContain('An administrator switched it off, and it was your only second factor. Confirm it’s you with it one last time, or with a recovery code, and then set up an authenticator app or a passkey to finish signing in. Email code won’t sign you in after that.')
    expect(await member.getByText('Lost your device? Use a recovery code').count()).toBe(1)
    await member.setViewportSize(PHONE)
    await screenshot(member, 'journey-stranded-challenge-phone')
    await member.setViewportSize(DESKTOP)

    await member.getByRole('button', { name: 'Email me a code' }).click()
    await member.fill('input[name=code]', await emailedCode(admin, MEMBER, outboxSeen))
    await member.getByRole('button', { name: 'Verify', exact: true }).click()
    await waitForPath(member, '/account/manage-mfa/add')
    await expect.poll(() => member.getByTestId('stranded-notice').innerText()).toContain('Set up a new way to sign in.')
    expect(await member.getByTestId('stranded-notice').innerText()).toContain('Email code was switched off on this site. Choose an authenticator app or a passkey below to finish signing in.')
    const choices = await Promise.all((await member.locator('button.choice[data-factor]').all()).map(choice => choice.getAttribute('data-factor')))
    expect(choices).toEqual(['totp', 'webauthn'])
    await screenshot(member, 'journey-stranded-enroll-desktop')

    await member.locator('button.choice[data-factor=totp]').click()
    const secret = (await member.getByTestId('totp-secret').getAttribute('data-secret'))!
    await member.fill('input[name=code]', new AuthenticatorApp(secret).nextCode())
    await member.getByRole('button', { name: 'Verify and turn on' }).click()
    await waitForPath(member, '/dashboard')
    await expect.poll(() => member.locator('h1').first().innerText()).toContain('Dashboard')
  })
})

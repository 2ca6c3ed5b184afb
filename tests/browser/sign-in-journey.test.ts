import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, launchBrowser, screenshot } from '../support/browser'

// The first five minutes, MFA off: sign up, see the claims, sign out, get sent to
// sign-in by a protected page, sign in and land back on that page.
describe('journey: sign up, sign out, come back to the page you asked for', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    app = await startApp({ mfa: { enforce: 'off' } })
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: DESKTOP })
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  async function submitCredentials(email: string, password: string) {
    await page.fill('input[name=email]', email)
    await page.fill('input[name=password]', password)
    await page.click('button[type=submit]:not([disabled])')
  }

  it('the first account becomes the admin and lands on the dashboard with its session-token claims', async () => {
    await page.goto(`${app.origin}/sign-up`)
    await submitCredentials('ada@acme.test', 'correct horse battery')
    // Acme's afterSignInUrl is its dashboard, which shows the live session-token claims.
    await page.waitForURL(url => new URL(url).pathname === '/dashboard')
    const claims = JSON.parse(await page.locator('[data-testid=claims]').innerText({ timeout: 10_000 }))
    expect(claims.email).toBe('ada@acme.test')
    expect(claims.roles).toEqual(['admin'])
    await screenshot(page, 'journey-0-signed-in-home')
  })

  it('a wrong password says so and keeps the visitor on the sign-in page', async () => {
    const context = await browser.newContext({ viewport: DESKTOP })
    const stranger = await context.newPage()
    await stranger.goto(`${app.origin}/sign-in`)
    await stranger.fill('input[name=email]', 'ada@acme.test')
    await stranger.fill('input[name=password]', 'wrong password here')
    await stranger.click('button[type=submit]:not([disabled])')
    await expect.poll(() => stranger.getByRole('alert').innerText(), { timeout: 10_000 }).toContain('incorrect')
    expect(new URL(stranger.url()).pathname).toBe('/sign-in')
    await context.close()
  })

  it('signed out, /dashboard sends you to sign-in, and signing in brings you back to it', async () => {
    await page.context().clearCookies()
    await page.goto(`${app.origin}/dashboard`)
    await page.waitForURL(url => new URL(url).pathname === '/sign-in')
    expect(new URL(page.url()).searchParams.get('redirect_url')).toBe('/dashboard')
    await submitCredentials('ada@acme.test', 'correct horse battery')
    await page.waitForURL(url => new URL(url).pathname === '/dashboard')
    await expect.poll(() => page.locator('h1').first().innerText(), { timeout: 10_000 }).toContain('Dashboard')
  })

  it('with organizations switched off, the organization pages say so plainly, with nothing to retry', async () => {
    await page.goto(`${app.origin}/org-selection`)
    const notice = page.locator('[data-testid=orgs-off]')
    await expect.poll(() => notice.innerText(), { timeout: 10_000 }).toContain('Organizations are switched off')
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0)
    expect(await page.locator('[data-testid=org-create]').count()).toBe(0)
  })
})

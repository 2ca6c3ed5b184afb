/**
 * Consumer A in Chromium: a fresh Nuxt app whose only guard setup is
 * `modules: ['nuxt-guard']` and a small `guard.config` (enforce MFA for all,
 * isMfa in the claims template), installed from the packed tarball and started
 * as production does. Sign up → forced to enroll TOTP → the app's own page →
 * /admin: a strategy switched off and a claim added → a second user's next
 * request is judged by both.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DESKTOP, launchBrowser } from '../support/browser'
import { configVersion, enrollTotpOnPage, submitCredentials, waitForPath, type AuthenticatorApp } from '../support/browser-journeys'
import { APP_A, APP_A_TEMPLATE, seconds, startConsumer, type RunningConsumer } from '../support/consumer-app'

// A page can take a few seconds to answer on a busy two-core machine: poll for up to 10 s, not 1.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 100 } } })

const PASSWORD = 'correct horse battery'
const ADMIN = 'ada@consumer-a.test'
const MEMBER = 'bo@consumer-a.test'
/** The console's look (assets/console.css): `.guard-ui { background: var(--bg) }` with --bg #f7f7f5. */
const CONSOLE_BACKGROUND = 'rgb(247, 247, 245)'

/** The next code from `app`, waiting for the next 30 s step if this one's codes are used up. */
async function nextCode(app: AuthenticatorApp): Promise<string> {
  for (;;) {
    try { return app.nextCode() }
    catch { await new Promise(resolve => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 200)) }
  }
}

/** The claims the app's own dashboard shows (`useAuth().session.claims`), after a page load. */
async function dashboardClaims(page: Page): Promise<Record<string, unknown>> {
  await page.goto('/dashboard')
  await waitForPath(page, '/dashboard')
  const shown = page.locator('[data-testid=claims]')
  await expect.poll(() => shown.innerText()).not.toBe('null')
  return JSON.parse(await shown.innerText())
}

describe('consumer A: the whole product from `modules: [\'nuxt-guard\']`, in Chromium', () => {
  const started = Date.now()
  let app: RunningConsumer
  let browser: Browser
  let admin: Page
  let member: Page
  let memberApp: AuthenticatorApp

  beforeAll(async () => {
    app = await startConsumer(APP_A)
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    member = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    console.info(`[consumer] app-a-journey.test.ts took ${seconds(Date.now() - started)}`)
  })

  it('anonymous: the app\'s public page opens, its own page and API are guarded', async () => {
    await admin.goto('/')
    expect(await admin.locator('h1').innerText()).toBe('Consumer A')
    await admin.goto('/dashboard')
    await waitForPath(admin, '/sign-in')
    expect(new URL(admin.url()).searchParams.get('redirect_url')).toBe('/dashboard')
    const hello = await admin.request.get('/api/hello')
    expect(hello.status()).toBe(401)
    expect((await hello.json()).error).toBe('unauthenticated')
  })

  it('the built-in sign-up page is there and styled by the console CSS', async () => {
    await admin.goto('/sign-up')
    const frame = admin.locator('.guard-ui')
    await frame.waitFor()
    expect(await frame.count()).toBe(1)
    expect(await frame.evaluate(element => getComputedStyle(element).backgroundColor)).toBe(CONSOLE_BACKGROUND)
    expect(await admin.locator('.guard-ui .card').evaluate(element => getComputedStyle(element).borderTopLeftRadius)).toBe('12px')
  })

  it('the first user signs up, is forced to the TOTP enrollment page, enrolls and reaches the app\'s own page', async () => {
    await submitCredentials(admin, ADMIN, PASSWORD)
    await waitForPath(admin, '/account/manage-mfa/add')
    await enrollTotpOnPage(admin)
    // afterSignInUrl is the app's /dashboard.
    await waitForPath(admin, '/dashboard')
    const claims = await dashboardClaims(admin)
    expect(claims).toMatchObject({ isMfa: true, email: ADMIN })
    const hello = await admin.request.get('/api/hello')
    expect(hello.status()).toBe(200)
    expect((await hello.json()).userId).toBe(await admin.locator('[data-testid=user-id]').innerText())
  })

  it('the app\'s own page is not restyled by the console CSS (which is loaded, but scoped to .guard-ui)', async () => {
    await admin.goto('/dashboard')
    await admin.locator('[data-testid=own-card]').waitFor()
    expect(await admin.locator('.guard-ui').count()).toBe(0)
    // The stylesheet is on the page…
    const consoleRules = await admin.evaluate(() => [...document.styleSheets].flatMap((sheet) => {
      try { return [...sheet.cssRules].map(rule => rule.cssText) }
      catch { return [] }
    }).filter(text => text.includes('.guard-ui')).length)
    expect(consoleRules).toBeGreaterThan(10)
    // …and changes nothing of the app's: browser defaults for body, h1 and a `.card` of its own.
    const look = await admin.evaluate(() => {
      const card = getComputedStyle(document.querySelector('[data-testid=own-card]')!)
      return {
        body: getComputedStyle(document.body).backgroundColor,
        bodyMargin: getComputedStyle(document.body).margin,
        h1: getComputedStyle(document.querySelector('h1')!).fontSize,
        cardRadius: card.borderTopLeftRadius,
        cardBorder: card.borderTopStyle,
        cardPadding: card.paddingTop,
      }
    })
    expect(look).toEqual({ body: 'rgba(0, 0, 0, 0)', bodyMargin: '8px', h1: '32px', cardRadius: '0px', cardBorder: 'none', cardPadding: '0px' })
  })

  it('a second user signs up and enrolls too (in its own browser context)', async () => {
    await member.goto('/sign-up')
    await submitCredentials(member, MEMBER, PASSWORD)
    await waitForPath(member, '/account/manage-mfa/add')
    memberApp = await enrollTotpOnPage(member)
    await waitForPath(member, '/dashboard')
    expect(await dashboardClaims(member)).toMatchObject({ isMfa: true, email: MEMBER })
    const factors = await (await member.request.get('/api/_guard/mfa/factors')).json()
    expect(factors.strategies).toMatchObject({ totp: true, recovery_code: true })
  })

  it('the second user opening /admin is told the console is for administrators, with a 403 (the app has no rule for /admin)', async () => {
    const response = await member.goto('/admin')
    expect(response?.status()).toBe(403)
    expect(await member.locator('h1').first().innerText()).toBe('Administrators only')
  })

  it('the admin opens /admin (styled), switches recovery codes off on the MFA screen and saves', async () => {
    await admin.goto('/admin')
    await admin.locator('#claims-template').waitFor()
    expect(await admin.locator('.guard-ui').evaluate(element => getComputedStyle(element).backgroundColor)).toBe(CONSOLE_BACKGROUND)

    await admin.goto('/admin/mfa')
    const recovery = admin.locator('#strategy-recovery_code')
    await recovery.waitFor()
    expect(await recovery.isChecked()).toBe(true)
    await recovery.uncheck()
    const before = await configVersion(admin)
    await admin.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => admin.getByText(`Saved as version ${before + 1}`).count()).toBe(1)
    const live = await (await admin.request.get('/api/_guard/admin/config')).json()
    expect(live.document.mfa.strategies).toMatchObject({ totp: true, recovery_code: false })
  })

  it('the admin adds a claim to the template on the Claims screen and saves', async () => {
    await admin.goto('/admin')
    const editor = admin.locator('#claims-template')
    await expect.poll(async () => JSON.parse(await editor.inputValue())).toEqual(APP_A_TEMPLATE)
    await editor.fill(JSON.stringify({ ...APP_A_TEMPLATE, greeting: 'hello {{user.email}}' }, null, 2))
    const before = await configVersion(admin)
    await admin.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => admin.getByText(`Saved as version ${before + 1}`).count()).toBe(1)
    const live = await (await admin.request.get('/api/_guard/admin/config')).json()
    expect(live.document.claims.template.greeting).toBe('hello {{user.email}}')
  })

  it('the second user\'s next request is judged by both changes', async () => {
    // The member's "next request" is a fresh sign-in: a claims-template change reaches an
    // existing session only when its token is next minted (issue 11 is not done yet), so the
    // member signs out (top bar of a built-in page) and in again, and is judged from then on.
    await member.goto('/account/security')
    await member.getByRole('button', { name: 'Sign out' }).click()
    await waitForPath(member, '/sign-in')
    await submitCredentials(member, MEMBER, PASSWORD)
    await waitForPath(member, '/mfa-challenge')

    // The strategy: off for this user now — listed off, not offered, refused.
    const factors = await (await member.request.get('/api/_guard/mfa/factors')).json()
    expect(factors.strategies).toMatchObject({ totp: true, recovery_code: false })
    await member.locator('input[name=code]').waitFor()
    expect(await member.getByText('Use a recovery code').count()).toBe(0)
    const refused = await member.request.post('/api/_guard/mfa/challenge', { data: { factor: 'recovery_code', code: 'aaaaa-bbbbb' } })
    expect(refused.status()).toBe(403)
    expect((await refused.json()).error).toBe('strategy_disabled')

    // TOTP is still on: the challenge completes and the app's page shows the new claim.
    await member.fill('input[name=code]', await nextCode(memberApp))
    await member.getByRole('button', { name: 'Verify', exact: true }).click()
    await waitForPath(member, '/dashboard')
    expect(await dashboardClaims(member)).toMatchObject({ isMfa: true, email: MEMBER, greeting: `hello ${MEMBER}` })
    const session = await (await member.request.get('/api/_guard/session')).json()
    expect(session.claims).toMatchObject({ isMfa: true, greeting: `hello ${MEMBER}` })
    expect((await member.request.get('/api/hello')).status()).toBe(200)
  })
})

import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { Secret, TOTP } from 'otpauth'
import type { Locator, Page } from 'playwright-core'

const SHOTS = fileURLToPath(new URL('../browser/screenshots', import.meta.url))

/**
 * What fits on the screen (not the whole page), with `focus` scrolled into view:
 * long console pages on a phone read better this way than as a 5,000-pixel strip.
 * Saved beside tests/support/browser.ts's full-page shots.
 *
 * @example
 * await screenshotOnScreen(page, 'journey-f-invalid-pattern-phone', page.locator('fieldset.rule').last())
 */
export async function screenshotOnScreen(page: Page, name: string, focus?: Locator): Promise<string> {
  mkdirSync(SHOTS, { recursive: true })
  await focus?.evaluate(element => element.scrollIntoView({ block: 'center' }))
  const path = `${SHOTS}/${name}.png`
  await page.screenshot({ path })
  return path
}

/** The path of the page's current URL. */
export const pathOf = (page: Page): string => new URL(page.url()).pathname

/**
 * Waits until the page shows `path` (client-side navigations included).
 *
 * @example
 * await waitForPath(page, '/dashboard')
 */
export async function waitForPath(page: Page, path: string, timeout = 15_000): Promise<void> {
  await page.waitForURL(url => new URL(url).pathname === path, { timeout })
}

/**
 * Fills the sign-up or sign-in form the way a person does and submits it.
 *
 * @example
 * await submitCredentials(page, 'ada@acme.test', 'correct horse battery')
 */
export async function submitCredentials(page: Page, email: string, password: string): Promise<void> {
  await page.fill('input[name=email]', email)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]:not([disabled])')
}

/**
 * An authenticator app for one secret: hands out each 30 s step's code at most
 * once (the server accepts a code once per step), moving to the next step
 * (accepted within ±1 step) when this step's code was already used.
 *
 * @example
 * const app = new AuthenticatorApp('JBSWY3DPEHPK3PXP')
 * await page.fill('input[name=code]', app.nextCode())
 */
export class AuthenticatorApp {
  private readonly totp: TOTP
  private lastStep = -1

  constructor(readonly secret: string) {
    this.totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' })
  }

  /** A code the server has not seen yet from this app. */
  nextCode(): string {
    const now = Date.now()
    const step = Math.max(Math.floor(now / 30_000), this.lastStep + 1)
    if (step > Math.floor(now / 30_000) + 1) throw new Error('two codes already used in this 30 s step; wait for the next step')
    this.lastStep = step
    return this.totp.generate({ timestamp: step * 30_000 })
  }

  /** A code from far in the past: the right format, never accepted. */
  wrongCode(): string {
    return this.totp.generate({ timestamp: Date.now() - 3_600_000 })
  }
}

/**
 * On the add-factor page: picks "Authenticator app" if the method picker is shown,
 * reads the manual key from the page, types the current code and verifies;
 * then saves the recovery codes if they are shown. Returns the app.
 *
 * @example
 * const app = await enrollTotpOnPage(page)
 */
export async function enrollTotpOnPage(page: Page, options: { shoot?: (what: string) => Promise<unknown> } = {}): Promise<AuthenticatorApp> {
  const secretField = page.locator('[data-testid=totp-secret]')
  const picker = page.locator('button.choice[data-factor=totp]')
  await page.locator('[data-testid=totp-secret], button.choice[data-factor=totp]').first().waitFor({ timeout: 15_000 })
  if (!(await secretField.count())) await picker.click()
  await secretField.waitFor()
  const secret = (await secretField.getAttribute('data-secret'))!
  // What a person reads: the grouped key on the page is the same secret.
  expect((await secretField.innerText()).replace(/\s/g, '')).toBe(secret.replace(/\s/g, ''))
  await options.shoot?.('enroll-totp')
  const app = new AuthenticatorApp(secret)
  await page.fill('input[name=code]', app.nextCode())
  await page.getByRole('button', { name: 'Verify and turn on' }).click()
  const saved = page.locator('[data-testid=codes-saved]')
  await saved.waitFor({ timeout: 15_000 })
  expect(await page.locator('[data-testid=recovery-codes] li').count()).toBeGreaterThanOrEqual(8)
  await options.shoot?.('recovery-codes')
  await saved.click()
  return app
}

/**
 * Signs a new account up in `page` and, when the site sends it to the add-factor
 * page, enrolls an authenticator app there. Ends on the page the site sends it to.
 *
 * @example
 * const app = await signUpWithTotp(page, origin, 'bo@acme.test', 'a long passphrase')
 */
export async function signUpWithTotp(page: Page, origin: string, email: string, password: string): Promise<AuthenticatorApp> {
  await page.goto(`${origin}/sign-up`)
  await submitCredentials(page, email, password)
  await waitForPath(page, '/account/manage-mfa/add')
  return enrollTotpOnPage(page)
}

/**
 * The live config version, as the admin API reports it (read with the
 * admin's cookies).
 *
 * @example
 * expect(await configVersion(adminPage)).toBe(1)
 */
export async function configVersion(adminPage: Page): Promise<number> {
  const answer = await adminPage.request.get('/api/_guard/admin/config')
  expect(answer.status()).toBe(200)
  return (await answer.json()).version
}

/**
 * The newest 6-digit code emailed to `to`, read from the outbox by an admin
 * (the default mail transport writes there). Polls until a message not in
 * `seen` (ids of messages already read) arrives.
 *
 * @example
 * const code = await emailedCode(adminPage, 'bo@acme.test')
 */
export async function emailedCode(adminPage: Page, to: string, seen: Set<string> = new Set()): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const answer = await adminPage.request.get('/api/_guard/admin/outbox')
    expect(answer.status()).toBe(200)
    const { messages } = await answer.json() as { messages: { id: string; to: string; text: string }[] }
    // Newest first.
    const newest = messages.find(message => message.to === to && !seen.has(String(message.id)))
    const code = newest?.text.match(/\b(\d{6})\b/)?.[1]
    if (newest && code) { seen.add(String(newest.id)); return code }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`no new email with a code reached ${to} within 10 s`)
}

/**
 * Verifies the address of `page`'s user with the code sign-up emailed it, read
 * from the outbox by `adminPage` (an admin's page), through the API with the
 * page's cookies (the email-code factor is only set up for a verified address).
 *
 * @example
 * await verifyAddressOnPage(memberPage, adminPage, 'bo@acme.test')
 */
export async function verifyAddressOnPage(page: Page, adminPage: Page, email: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const { messages } = await (await adminPage.request.get('/api/_guard/admin/outbox')).json() as { messages: { to: string; subject: string; text: string }[] }
    const code = messages.find(message => message.to === email && message.subject.endsWith('Verify your email address'))?.text.match(/code is ([A-Z0-9-]+)\./)?.[1]
    if (code && (await page.request.post('/api/_guard/email-verification/confirm', { data: { code } })).ok()) return
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`could not verify ${email} with a code from the outbox within 10 s`)
}

/**
 * Adds an email-code factor from the add-factor page: verifies the address
 * first (verifyAddressOnPage), asks for a code, reads it from the outbox (as
 * `adminPage`, an admin's page) and verifies it.
 *
 * @example
 * await enrollEmailOnPage(memberPage, adminPage, 'bo@acme.test')
 */
export async function enrollEmailOnPage(page: Page, adminPage: Page, email: string, seen: Set<string> = new Set()): Promise<void> {
  await verifyAddressOnPage(page, adminPage, email)
  await page.goto('/account/manage-mfa/add')
  await page.locator('button.choice[data-factor=email_code]').click()
  await page.getByRole('button', { name: 'Send me a code' }).click()
  await page.getByText('We sent a code to').waitFor()
  await page.fill('input[name=code]', await emailedCode(adminPage, email, seen))
  await page.getByRole('button', { name: 'Verify and turn on' }).click()
  // A second factor added to an account that has one: no new recovery codes, back to where it came from.
  await page.waitForURL(url => new URL(url).pathname !== '/account/manage-mfa/add', { timeout: 15_000 })
}

/**
 * Signs out with the top bar's button and signs in again on the sign-in page.
 *
 * @example
 * await signOutAndIn(page, 'bo@acme.test', 'a long passphrase')
 */
export async function signOutAndIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await waitForPath(page, '/sign-in')
  await submitCredentials(page, email, password)
}

/**
 * Acme's route lists with the rules a journey needs instead of the
 * playground's own: a seed's `routes` replaces the playground's whole.
 *
 * @example
 * await startApp({ routes: acmeRoutes([{ pattern: '/admin/**', require: { roles: ['admin'], mfa: true } }]) })
 */
export function acmeRoutes(rules: { pattern: string; require: Record<string, unknown> }[]) {
  return {
    mode: 'protect-all',
    public: ['/', '/sign-in', '/sign-up', '/pricing'],
    ignored: ['/_nuxt/**', '/favicon.ico', '/__nuxt_error'],
    api: ['/api/**'],
    rules,
  }
}

/**
 * The path and query of the newest invitation link (`…?token=…`) emailed to
 * `to`, read from the outbox by an admin's page: what the invitee opens.
 *
 * @example
 * await memberPage.goto(await emailedInvitationPath(adminPage, 'bo@acme.test')) // '/org-invitation?token=…'
 */
export async function emailedInvitationPath(adminPage: Page, to: string): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const { messages } = await (await adminPage.request.get('/api/_guard/admin/outbox')).json() as { messages: { to: string; text: string }[] }
    // Newest first; other emails (the sign-up's verification code) may have come after it.
    const link = messages.filter(message => message.to === to).map(message => message.text.match(/https?:\/\/\S+\?token=[\w-]+/)?.[0]).find(Boolean)
    if (link) return `${new URL(link).pathname}${new URL(link).search}`
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`no invitation email reached ${to} within 10 s`)
}

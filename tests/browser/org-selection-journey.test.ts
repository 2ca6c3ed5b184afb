import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'
import { acmeRoutes, submitCredentials, waitForPath } from '../support/browser-journeys'

const PASSWORD = 'correct horse battery'

/** The invitation link in the newest outbox email to `to`, read by the admin. */
async function invitationPath(adminPage: Page, to: string): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const { messages } = await (await adminPage.request.get('/api/_guard/admin/outbox')).json() as { messages: { to: string; text: string }[] }
    const link = messages.map(message => message.to === to && message.text.match(/https?:\/\/\S+\?token=[\w-]+/)?.[0]).find(Boolean)
    if (link) { const url = new URL(link); return `${url.pathname}${url.search}` }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`no invitation email reached ${to} within 10 s`)
}

async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/sign-up')
  await submitCredentials(page, email, PASSWORD)
  await page.waitForURL(url => new URL(url).pathname !== '/sign-up', { timeout: 15_000 })
}

const fitsWidth = async (page: Page, width: number) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)

// Organizations (issue 14.3): /reports needs an active organization. A new user is sent to the
// selection page, creates one and lands on the report; an invited user opens the emailed link,
// joins and picks it from the selection page's list. On a phone and a desktop.
describe('journey: a page needing an organization → selection page → create or join → back', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page

  beforeAll(async () => {
    app = await startApp({ mfa: { enforce: 'off' }, organizations: { enabled: true }, routes: acmeRoutes([{ pattern: '/reports', require: { organization: true } }]) })
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    await signUp(admin, 'ada@acme.test')
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    it(`${viewport.width}×${viewport.height}: sent to choose, creates an organization, lands where they were going; an invitee joins from the email and picks it`, async () => {
      const owner = await (await browser.newContext({ viewport, baseURL: app.origin })).newPage()
      await signUp(owner, `owner-${size}@acme.test`)
      await owner.goto('/reports')
      await waitForPath(owner, '/org-selection')
      expect(new URL(owner.url()).searchParams.get('redirect_url')).toBe('/reports')
      await owner.getByRole('heading', { name: 'Choose an organization' }).waitFor()
      await owner.locator('[data-testid=org-none]').waitFor()
      await owner.fill('input[name=name]', `Globex ${size}`)
      await screenshot(owner, `journey-org-1-create-${size}`)
      await fitsWidth(owner, viewport.width)
      await owner.getByRole('button', { name: 'Create and continue' }).click()
      await waitForPath(owner, '/reports')

      // The owner invites a colleague (the console or an app would; the API here).
      const { organizations } = await (await owner.request.get('/api/_guard/organizations')).json() as { organizations: { id: string; slug: string }[] }
      expect(organizations.map(org => org.slug)).toEqual([`globex-${size}`])
      const colleague = `colleague-${size}@acme.test`
      expect((await owner.request.post(`/api/_guard/organizations/${organizations[0]!.id}/invitations`, { data: { email: colleague } })).status()).toBe(200)

      const invitee = await (await browser.newContext({ viewport, baseURL: app.origin })).newPage()
      await signUp(invitee, colleague)
      await invitee.goto(await invitationPath(admin, colleague))
      await invitee.locator('[data-testid=invitation]', { hasText: `Globex ${size}` }).waitFor()
      await screenshot(invitee, `journey-org-2-invitation-${size}`)
      await fitsWidth(invitee, viewport.width)
      await invitee.getByRole('button', { name: `Join Globex ${size}` }).click()
      await invitee.waitForURL(url => new URL(url).pathname === '/', { timeout: 15_000 })
      await invitee.goto('/reports')
      await waitForPath(invitee, '/reports')

      // Cleared (another tab chose none): sent back to choose, and the list offers it.
      await invitee.request.post('/api/_guard/session/organization', { data: { organizationId: null } })
      await invitee.goto('/reports')
      await waitForPath(invitee, '/org-selection')
      const list = invitee.locator('[data-testid=org-list]')
      await list.getByText(`Globex ${size}`).waitFor()
      await list.getByText('org:member').waitFor()
      await screenshot(invitee, `journey-org-3-list-${size}`)
      await fitsWidth(invitee, viewport.width)
      await list.getByRole('button', { name: `Continue with Globex ${size}` }).click()
      await waitForPath(invitee, '/reports')
      await owner.context().close()
      await invitee.context().close()
    }, 150_000)
  }
})

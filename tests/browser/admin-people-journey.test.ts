import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'
import { pathOf, screenshotOnScreen, submitCredentials, waitForPath } from '../support/browser-journeys'

const PASSWORD = 'correct horse battery'
const INVITED_PASSWORD = 'violet tractor umbrella 42'

/** The invitation link emailed to `to`, read from the outbox by the admin. */
async function invitationLink(adminPage: Page, to: string): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const { messages } = await (await adminPage.request.get('/api/_guard/admin/outbox')).json() as { messages: { to: string; subject: string; text: string }[] }
    const link = messages.find(message => message.to === to && message.subject.includes('You are invited'))?.text.match(/https?:\/\/\S+/)?.[0]
    if (link) return link
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`no invitation email reached ${to} within 10 s`)
}

// The console's people management in a browser: Add user → Invite by email, the emailed link
// opened by the invited person, their password, signed in; then the admin disables them from the
// actions menu and their open tab loses access. Looked at on a laptop and a phone.
describe('journey: invite by email → accept → signed in → disabled from the console', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page
  let invited: Page

  beforeAll(async () => {
    process.env.NUXT_PUBLIC_GUARD_APP_NAME = 'Acme'
    try { app = await startApp({ mfa: { enforce: 'off' } }) }
    finally { delete process.env.NUXT_PUBLIC_GUARD_APP_NAME }
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    invited = await (await browser.newContext({ viewport: PHONE, baseURL: app.origin })).newPage()
    await admin.goto('/sign-up')
    await submitCredentials(admin, 'ada@acme.test', PASSWORD)
    await admin.waitForURL(url => new URL(url).pathname !== '/sign-up')
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('invites from the Users screen; the invited person chooses a password and is signed in', async () => {
    await admin.goto('/admin/users')
    await admin.getByRole('heading', { name: 'Users' }).waitFor()
    await admin.getByRole('button', { name: 'Add user' }).click()
    const dialog = admin.getByRole('dialog', { name: 'Add user' })
    await expect.poll(() => dialog.getByRole('tab', { name: 'Invite by email' }).getAttribute('aria-selected')).toBe('true')
    await dialog.getByLabel('Email').fill('ivy@acme.test')
    await screenshot(admin, 'journey-people-1-invite-desktop')
    await dialog.getByRole('button', { name: 'Send invitation' }).click()
    await admin.getByRole('heading', { name: 'Pending invitations' }).waitFor()
    await expect.poll(() => admin.locator('.pending').innerText()).toContain('ivy@acme.test')
    await screenshot(admin, 'journey-people-2-pending-desktop')

    await invited.goto(await invitationLink(admin, 'ivy@acme.test'))
    await invited.getByText('You were invited as').waitFor()
    expect(await invited.title()).toBe('Accept your invitation · Acme')
    expect(await invited.locator('main, #main, body').first().innerText()).toContain('ivy@acme.test')
    await invited.fill('input[name=password]', 'password1')
    await invited.getByRole('button', { name: 'Create account and sign in' }).click()
    await expect.poll(() => invited.locator('.error').first().innerText()).not.toBe('')
    await screenshot(invited, 'journey-people-3-accept-weak-phone')
    await invited.fill('input[name=password]', INVITED_PASSWORD)
    await invited.getByRole('button', { name: 'Create account and sign in' }).click()
    await invited.waitForURL(url => new URL(url).pathname !== '/accept-invitation', { timeout: 15_000 })
    const session = await invited.request.get('/api/_guard/session')
    expect(session.status()).toBe(200)
    expect(pathOf(invited)).not.toBe('/sign-in')

    // The same link again: refused, with what to do.
    await invited.context().clearCookies()
    await invited.goto(await invitationLink(admin, 'ivy@acme.test'))
    await invited.getByRole('alert').waitFor()
    expect(await invited.getByRole('alert').innerText()).toContain('not valid')
    await screenshot(invited, 'journey-people-4-link-used-phone')
  }, 120_000)

  it('disables the new member from the actions menu: their tab loses access at the next request; the list says until when', async () => {
    await invited.goto('/sign-in')
    await submitCredentials(invited, 'ivy@acme.test', INVITED_PASSWORD)
    await invited.waitForURL(url => new URL(url).pathname !== '/sign-in')
    expect((await invited.request.get('/api/_guard/session')).status()).toBe(200)

    await admin.reload()
    const row = admin.locator('ul.users > li').filter({ hasText: 'ivy@acme.test' })
    await row.getByText('active', { exact: true }).waitFor()
    await row.getByRole('button', { name: 'More actions' }).click()
    await screenshot(admin, 'journey-people-5-menu-desktop')
    await row.getByRole('menuitem', { name: 'Disable account…' }).click()
    const dialog = admin.getByRole('dialog', { name: /Disable ivy@acme\.test/ })
    await dialog.getByLabel(/Reason/).fill('Contract ended')
    await dialog.getByLabel(/Disabled until/).fill('2099-01-01T09:00')
    await screenshot(admin, 'journey-people-6-disable-desktop')
    await dialog.getByRole('button', { name: 'Disable account' }).click()
    await row.getByText(/disabled until/).waitFor()
    expect(await row.innerText()).toContain('Reason: Contract ended')
    expect((await invited.request.get('/api/_guard/session')).status()).toBe(401)

    await admin.setViewportSize(PHONE)
    await screenshotOnScreen(admin, 'journey-people-7-list-phone', row)
    await row.getByRole('button', { name: 'More actions' }).click()
    await screenshotOnScreen(admin, 'journey-people-8-menu-phone', row)
    await row.getByRole('menuitem', { name: 'Delete account…' }).click()
    const confirm = admin.getByRole('dialog', { name: /Delete ivy@acme\.test/ })
    await expect.poll(() => confirm.getByRole('button', { name: 'Delete account' }).isDisabled()).toBe(true)
    await confirm.getByLabel(/to confirm/).fill('ivy@acme.test')
    await screenshot(admin, 'journey-people-9-delete-phone')
    await confirm.getByRole('button', { name: 'Delete account' }).click()
    await expect.poll(() => admin.locator('ul.users').innerText()).not.toContain('ivy@acme.test')
    await admin.getByRole('button', { name: 'Add user' }).click()
    await admin.getByRole('dialog', { name: 'Add user' }).getByRole('tab', { name: 'Set a password' }).click()
    await screenshot(admin, 'journey-people-10-create-phone')
    await admin.setViewportSize(DESKTOP)
    await screenshot(admin, 'journey-people-11-create-desktop')
  }, 120_000)
})

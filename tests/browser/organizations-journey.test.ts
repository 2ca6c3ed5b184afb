import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'
import { acmeRoutes, emailedInvitationPath, screenshotOnScreen, submitCredentials, waitForPath } from '../support/browser-journeys'

const PASSWORD = 'correct horse battery'
/** Clerk's example of an organization admin area: has(org:sys_memberships:manage) || has(org:sys_domains:manage). */
const ORG_ADMIN_AREA = { permissions: { anyOf: ['org:sys_memberships:manage', 'org:sys_domains:manage'] } }

async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/sign-up')
  await submitCredentials(page, email, PASSWORD)
  await page.waitForURL(url => new URL(url).pathname !== '/sign-up', { timeout: 15_000 })
}

const fitsWidth = async (page: Page, width: number) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)

// The member-facing organization page (issue 14): Ada creates an organization and invites Bo from
// /organization; Bo joins from the emailed link, sees the members read-only and is refused the
// organization's admin area (Acme's /reports under Clerk's example rule); Ada makes Bo an org:admin
// on the page, and Bo's next navigation reaches it without signing in again. Then on a phone.
describe('journey: organization page → invite → join → refused → promoted → admitted (1280×800 and 390×844)', () => {
  let app: RunningApp
  let browser: Browser
  let ada: Page
  let bo: Page

  beforeAll(async () => {
    app = await startApp({
      mfa: { enforce: 'off' },
      organizations: { enabled: true },
      // Every account may read reports (the API re-checks reports:read); the rules below narrow them to organization admins.
      roles: { admin: ['guard:admin', 'reports:read'], member: ['reports:read'] },
      routes: acmeRoutes([{ pattern: '/reports/**', require: ORG_ADMIN_AREA }, { pattern: '/api/reports/**', require: ORG_ADMIN_AREA }]),
    })
    browser = await launchBrowser()
    ada = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    bo = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('Ada, without an organization, is sent from /organization to choose one, creates it and lands on its page', async () => {
    await signUp(ada, 'ada@acme.test') // the first account: the site's admin, who can read the outbox
    await ada.goto('/account/security')
    const card = ada.locator('[data-testid=account-organizations]')
    await card.getByText('You do not belong to any organization').waitFor()
    expect(await ada.locator('#main-nav').getByRole('link', { name: 'Organization', exact: true }).count()).toBe(0)

    await ada.goto('/organization')
    await waitForPath(ada, '/org-selection')
    expect(new URL(ada.url()).searchParams.get('redirect_url')).toBe('/organization')
    await ada.fill('input[name=name]', 'Acme Rockets')
    await ada.getByRole('button', { name: 'Create and continue' }).click()
    await waitForPath(ada, '/organization')
    await ada.getByRole('heading', { name: 'Acme Rockets', level: 1 }).waitFor()
    expect(await ada.locator('[data-testid=org-my-role]').innerText()).toBe('org:admin')
    await ada.locator('[data-testid=org-members] li[data-member="ada@acme.test"]').waitFor()
    // The top bar now leads here.
    await ada.locator('#main-nav').getByRole('link', { name: 'Organization', exact: true }).waitFor()
  })

  it('Ada renames it (an unusable slug refused under the field), invites Bo, and cannot leave as its last org:admin', async () => {
    const profile = ada.locator('[data-testid=org-profile]')
    await profile.getByRole('button', { name: 'Edit' }).click()
    await profile.getByLabel('Slug').fill('-bad-')
    await profile.getByRole('button', { name: 'Save' }).click()
    await profile.locator('.error').waitFor()
    await profile.getByLabel('Name').fill('Acme Rocket Co')
    await profile.getByLabel('Slug').fill('acme-rockets')
    await profile.getByRole('button', { name: 'Save' }).click()
    await profile.locator('[data-testid=org-name]', { hasText: 'Acme Rocket Co' }).waitFor()
    await ada.getByRole('heading', { name: 'Acme Rocket Co', level: 1 }).waitFor()

    const invitations = ada.locator('[data-testid=org-invitations]')
    await invitations.getByLabel('Invite by email').fill('not-an-address')
    await invitations.getByRole('button', { name: 'Send invitation' }).click()
    await invitations.locator('.error').waitFor()
    await invitations.getByLabel('Invite by email').fill('bo@acme.test')
    expect(await invitations.getByLabel('Role').inputValue()).toBe('org:member')
    await invitations.getByRole('button', { name: 'Send invitation' }).click()
    await invitations.locator('li[data-invitation="bo@acme.test"]').waitFor()
    await ada.getByText('Invitation emailed to bo@acme.test').waitFor()
    // A second invitation, revoked: its row goes, Bo's stays.
    await invitations.getByLabel('Invite by email').fill('cy@acme.test')
    await invitations.getByRole('button', { name: 'Send invitation' }).click()
    const cy = invitations.locator('li[data-invitation="cy@acme.test"]')
    await cy.getByRole('button', { name: 'Revoke' }).click()
    await ada.getByRole('dialog', { name: 'Revoke invitation?' }).getByRole('button', { name: 'Revoke' }).click()
    await cy.waitFor({ state: 'detached' })
    await expect.poll(() => invitations.locator('li[data-invitation]').count()).toBe(1)

    // The last org:admin can neither demote nor remove themself: the reason shows under the row, the select goes back.
    const adaRole = ada.getByLabel('Role of ada@acme.test')
    await adaRole.selectOption('org:member')
    await ada.locator('[data-testid=org-members] li[data-member="ada@acme.test"] [role=alert]', { hasText: 'last org:admin' }).waitFor()
    expect(await adaRole.inputValue()).toBe('org:admin')
    await screenshotOnScreen(ada, 'journey-orgpage-1-admin-desktop', ada.locator('[data-testid=org-members]'))

    await ada.getByRole('button', { name: 'Leave organization' }).click()
    await ada.getByRole('dialog').getByRole('button', { name: 'Leave' }).click()
    await ada.locator('[data-testid=org-leave] [role=alert]', { hasText: 'last org:admin' }).waitFor()
    expect(new URL(ada.url()).pathname).toBe('/organization')
  })

  it('Bo joins from the emailed link, sees the members read-only, and is refused the organization admin area', async () => {
    await signUp(bo, 'bo@acme.test')
    await bo.goto(await emailedInvitationPath(ada, 'bo@acme.test'))
    await bo.getByRole('button', { name: 'Join Acme Rocket Co' }).click()
    await bo.waitForURL(url => new URL(url).pathname === '/', { timeout: 15_000 })

    await bo.locator('#main-nav').getByRole('link', { name: 'Organization', exact: true }).click()
    await waitForPath(bo, '/organization')
    const members = bo.locator('[data-testid=org-members]')
    await members.locator('li[data-member="ada@acme.test"]').waitFor()
    expect(await members.locator('[data-testid=member-role]').allInnerTexts()).toEqual(['org:admin', 'org:member'])
    expect(await members.locator('select').count()).toBe(0)
    expect(await bo.locator('[data-testid=org-invitations]').count()).toBe(0)
    expect(await bo.locator('[data-testid=org-profile]').getByRole('button', { name: 'Edit' }).count()).toBe(0)
    await screenshot(bo, 'journey-orgpage-2-member-desktop')

    // The page hides what the role cannot do; the server refuses it anyway.
    const adaId = await (await ada.request.get('/api/_guard/session')).json().then((session: { userId: string }) => session.userId)
    const { orgId } = await (await bo.request.get('/api/_guard/session')).json() as { orgId: string }
    const attempt = await bo.request.patch(`/api/_guard/organizations/${orgId}/members/${adaId}`, { data: { role: 'org:member' } })
    expect(attempt.status()).toBe(403)
    expect((await attempt.json()).error).toBe('org_permission_required')

    // The organization admin area: refused by client-side navigation and by a page load.
    await bo.locator('#main-nav').getByRole('link', { name: 'Reports' }).click()
    await bo.locator('[data-testid=error-page][data-status="403"]').waitFor()
    const load = await bo.goto('/reports')
    expect(load?.status()).toBe(403)
    await bo.locator('[data-testid=error-page][data-status="403"]').waitFor()
    await screenshot(bo, 'journey-orgpage-3-refused-desktop')
  })

  it('Ada makes Bo an org:admin on the page; Bo\'s next navigation reaches the admin area, no new sign-in', async () => {
    await ada.reload()
    const boRole = ada.getByLabel('Role of bo@acme.test')
    await boRole.waitFor()
    expect(await boRole.inputValue()).toBe('org:member')
    expect(await ada.locator('[data-testid=org-invitations] li[data-invitation="bo@acme.test"]').count()).toBe(0) // accepted: no longer pending
    await boRole.selectOption('org:admin')
    await ada.getByText('bo@acme.test is org:admin now').waitFor()

    await bo.goto('/dashboard')
    await bo.locator('#main-nav').getByRole('link', { name: 'Reports' }).click()
    await waitForPath(bo, '/reports')
    await bo.locator('[data-testid=report]').waitFor()
    await bo.locator('#main-nav').getByRole('link', { name: 'Organization', exact: true }).click()
    await waitForPath(bo, '/organization')
    expect(await bo.locator('[data-testid=org-my-role]').innerText()).toBe('org:admin')
    await bo.getByLabel('Role of ada@acme.test').waitFor()
    await bo.locator('[data-testid=org-invitations]').waitFor()
  })

  it('works on a phone: the whole page fits 390 px, and the menu leads to it', async () => {
    const phone = await (await browser.newContext({ viewport: PHONE, baseURL: app.origin, storageState: await bo.context().storageState() })).newPage()
    await phone.goto('/organization')
    await phone.getByLabel('Role of ada@acme.test').waitFor()
    await fitsWidth(phone, PHONE.width)
    await screenshot(phone, 'journey-orgpage-4-phone')
    await phone.getByRole('button', { name: 'Menu' }).click()
    await phone.locator('#main-nav').getByRole('link', { name: 'Organization', exact: true }).waitFor()
    await phone.goto('/account/security')
    await phone.locator('[data-testid=account-organizations]').getByText('Acme Rocket Co').waitFor()
    await phone.locator('[data-testid=account-organizations]').scrollIntoViewIfNeeded()
    await fitsWidth(phone, PHONE.width)
    await screenshot(phone, 'journey-orgpage-5-account-phone')
    await phone.context().close()
  })

  it('switched off in the console, the account page and the top bar no longer offer organizations', async () => {
    const { version, document } = await (await ada.request.get('/api/_guard/admin/config')).json()
    const off = { ...document, organizations: { ...document.organizations, enabled: false }, routes: { ...document.routes, rules: [] } }
    expect((await ada.request.put('/api/_guard/admin/config', { data: { version, document: off } })).status()).toBe(200)
    await bo.goto('/account/security')
    await bo.locator('[data-testid=session-list]').waitFor()
    await bo.getByRole('heading', { name: 'Delete account' }).waitFor()
    expect(await bo.locator('[data-testid=account-organizations]').count()).toBe(0)
    expect(await bo.locator('#main-nav').getByRole('link', { name: 'Organization', exact: true }).count()).toBe(0)
    await bo.goto('/organization')
    await waitForPath(bo, '/org-selection')
    await bo.getByText('Organizations are switched off').waitFor()
  })
})

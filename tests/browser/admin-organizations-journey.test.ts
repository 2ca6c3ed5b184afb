import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'

const PASSWORD = 'saffron glacier teapot 63'

// The console's Organizations screen (issue 14.4) on a laptop: turn organizations on and define a
// role (an invalid name refused under the role), create one for an owner, add a member and change
// their role, invite and revoke; then the same screen on a phone.
describe('journey: console → Organizations → roles, create, members, invitations (1280×800 and 390×844)', () => {
  let app: RunningApp
  let browser: Browser
  let admin: Page

  beforeAll(async () => {
    app = await startApp({ mfa: { enforce: 'off' } })
    browser = await launchBrowser()
    admin = await (await browser.newContext({ viewport: DESKTOP, baseURL: app.origin })).newPage()
    expect((await admin.request.post('/api/_guard/sign-up', { data: { email: 'ada@acme.test', password: PASSWORD } })).status()).toBe(200)
    for (const email of ['bob@acme.test', 'cy@acme.test']) {
      expect((await admin.request.post('/api/_guard/admin/users', { data: { email, password: PASSWORD } })).status()).toBe(200)
    }
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('turns organizations on and adds a role: an invalid name is refused under the role, a valid one saves', async () => {
    await admin.goto('/admin/organizations')
    await admin.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor()
    await admin.getByText('Organizations are switched off.').waitFor()
    await admin.getByRole('switch', { name: /Organizations are on/ }).check()
    await admin.fill('#org-new-role', 'Billing')
    await admin.getByRole('button', { name: 'Add role' }).click()
    const billing = admin.locator('li[data-role="Billing"]')
    await expect.poll(() => billing.locator('.field-issues').innerText(), { timeout: 10_000 }).toContain('org:<role>')
    await screenshot(admin, 'orgs-1-invalid-role-desktop')

    await billing.getByRole('button', { name: 'Delete role' }).click()
    await admin.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await admin.fill('#org-new-role', 'org:billing')
    await admin.getByRole('button', { name: 'Add role' }).click()
    await admin.fill('#perm-org-billing', 'org:invoices:read')
    await admin.locator('li[data-role="org:billing"]').getByRole('button', { name: 'Add', exact: true }).click()
    await admin.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save', exact: true }).click()
    await admin.getByText('Organizations are switched off.').waitFor({ state: 'detached', timeout: 10_000 })
    const live = await (await admin.request.get('/api/_guard/admin/config')).json() as { document: { organizations: { enabled: boolean; roles: Record<string, string[]> } } }
    expect(live.document.organizations.enabled).toBe(true)
    expect(live.document.organizations.roles['org:billing']).toEqual(['org:invoices:read'])
  })

  it('creates an organization for an owner, adds a member, changes their role, invites and revokes', async () => {
    await admin.getByRole('button', { name: 'New organization' }).click()
    const create = admin.getByRole('dialog', { name: 'New organization' })
    await create.getByLabel('Name').fill('Acme Corp')
    await create.getByLabel("Owner's email").fill('nobody@acme.test')
    await create.getByRole('button', { name: 'Create organization' }).click()
    await create.locator('.error').filter({ hasText: 'No account has this address' }).waitFor()
    await create.getByLabel("Owner's email").fill('bob@acme.test')
    await create.getByRole('button', { name: 'Create organization' }).click()
    const detail = admin.locator('.org-detail')
    await detail.getByRole('heading', { name: 'Acme Corp' }).waitFor()
    await expect.poll(() => detail.getByLabel('Org role of bob@acme.test').inputValue()).toBe('org:admin')

    await detail.getByLabel('Add an existing user').fill('cy@acme.test')
    await detail.getByRole('button', { name: 'Add member' }).click()
    const cyRole = detail.getByLabel('Org role of cy@acme.test')
    await expect.poll(() => cyRole.inputValue(), { timeout: 10_000 }).toBe('org:member')
    await cyRole.selectOption('org:billing')
    await admin.getByText('cy@acme.test is org:billing now').waitFor()
    // The last org:admin cannot be demoted: the select goes back and the reason shows.
    await detail.getByLabel('Org role of bob@acme.test').selectOption('org:member')
    await admin.getByText("This is the organization's last org:admin").waitFor()
    await expect.poll(() => detail.getByLabel('Org role of bob@acme.test').inputValue()).toBe('org:admin')

    await detail.getByLabel('Invite by email').fill('dee@acme.test')
    await detail.getByRole('button', { name: 'Send invitation' }).click()
    const pending = detail.locator('.invitations li').filter({ hasText: 'dee@acme.test' })
    await pending.waitFor()
    await screenshot(admin, 'orgs-2-detail-desktop')
    await pending.getByRole('button', { name: 'Revoke' }).click()
    await admin.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    await pending.waitFor({ state: 'detached' })

    await admin.fill('#org-search', 'nothing-like-it')
    await admin.getByText('No organization matches').waitFor()
    await admin.fill('#org-search', 'acme')
    await admin.locator('.org-list').getByRole('button', { name: /Acme Corp/ }).waitFor()
    expect(await admin.locator('.org-list').innerText()).toContain('2 members')
  })

  it('works on a phone: the list, then the organization below it, nothing wider than the screen', async () => {
    const phone = await (await browser.newContext({ viewport: PHONE, baseURL: app.origin, storageState: await admin.context().storageState() })).newPage()
    await phone.goto('/admin/organizations')
    await phone.locator('.org-list').getByRole('button', { name: /Acme Corp/ }).click()
    const detail = phone.locator('.org-detail')
    await detail.getByLabel('Org role of cy@acme.test').waitFor()
    await expect.poll(() => detail.evaluate(element => element.getBoundingClientRect().top), { timeout: 5_000 }).toBeLessThan(PHONE.height)
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    await screenshot(phone, 'orgs-3-detail-phone')
    await phone.locator('.org-roles').scrollIntoViewIfNeeded()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    await phone.context().close()
  })
})

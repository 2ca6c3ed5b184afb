import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../support/app-server'
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../support/browser'

const PASSWORD = 'saffron glacier teapot 63'

// The console's Organizations screen (issue 14.4) on a laptop: turn organizations on and define a
// role (an invalid name refused under the role), create one for an owner, add a member and change
// their role, invite and revoke, edit its public metadata; then the same screen on a phone.
describe('journey: console → Organizations → roles, create, members, invitations, metadata (1280×800 and 390×844)', () => {
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

  it("edits the organization's public metadata: an array or invalid JSON is refused without a request, too large a token by the server, an object saves", async () => {
    // The claims template reads the organization's plan, so an oversized plan would not fit its members' tokens.
    const { version, document } = await (await admin.request.get('/api/_guard/admin/config')).json()
    const template = { ...document.claims.template, plan: '{{org.public_metadata.plan}}' }
    expect((await admin.request.put('/api/_guard/admin/config', { data: { version, document: { ...document, claims: { ...document.claims, template } } } })).status()).toBe(200)
    const puts: string[] = []
    admin.on('request', request => { if (request.method() === 'PUT' && request.url().endsWith('/metadata')) puts.push(request.url()) })

    const detail = admin.locator('.org-detail')
    expect(await detail.locator('.public-metadata').innerText()).toBe('Public metadata: {}')
    await detail.getByRole('button', { name: 'Edit metadata' }).click()
    const dialog = admin.getByRole('dialog', { name: 'Public metadata of Acme Corp' })
    await dialog.getByText('{{org.public_metadata.*}}').waitFor()
    const editor = dialog.getByLabel('Public metadata (JSON)')
    expect(await editor.inputValue()).toBe('{}')
    await editor.fill('["enterprise"]')
    await dialog.getByRole('button', { name: 'Save metadata' }).click()
    await dialog.getByRole('alert').filter({ hasText: 'must be a JSON object' }).filter({ hasText: 'not an array' }).waitFor()
    await editor.fill('{"plan": enterprise}')
    await dialog.getByRole('button', { name: 'Save metadata' }).click()
    await dialog.getByText(/Line 1, column \d+:/).waitFor()
    expect(await editor.getAttribute('aria-invalid')).toBe('true')
    expect(puts).toEqual([])

    await editor.fill(JSON.stringify({ plan: 'x'.repeat(1_300) }))
    await dialog.getByRole('button', { name: 'Save metadata' }).click()
    await dialog.getByRole('alert').filter({ hasText: /bob@acme\.test|cy@acme\.test/ }).waitFor({ timeout: 10_000 })
    await screenshot(admin, 'orgs-2-metadata-too-large-desktop')
    expect(puts).toHaveLength(1)

    await editor.fill('{"plan":"enterprise"}')
    await dialog.getByRole('button', { name: 'Save metadata' }).click()
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 })
    await admin.getByText('carry its public metadata from their next request').waitFor()
    await expect.poll(() => detail.locator('.public-metadata').innerText(), { timeout: 10_000 }).toBe('Public metadata: {"plan":"enterprise"}')
    const { organizations } = await (await admin.request.get('/api/_guard/admin/organizations?q=acme')).json() as { organizations: { id: string }[] }
    const saved = await (await admin.request.get(`/api/_guard/admin/organizations/${organizations[0]!.id}`)).json() as { organization: { publicMetadata: unknown } }
    expect(saved.organization.publicMetadata).toEqual({ plan: 'enterprise' })
    await detail.getByRole('button', { name: 'Edit metadata' }).click()
    expect(JSON.parse(await editor.inputValue())).toEqual({ plan: 'enterprise' })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(puts).toHaveLength(2)
  })

  it('works on a phone: the list, then the organization below it, nothing wider than the screen', async () => {
    const phone = await (await browser.newContext({ viewport: PHONE, baseURL: app.origin, storageState: await admin.context().storageState() })).newPage()
    await phone.goto('/admin/organizations')
    await phone.locator('.org-list').getByRole('button', { name: /Acme Corp/ }).click()
    const detail = phone.locator('.org-detail')
    await detail.getByLabel('Org role of cy@acme.test').waitFor()
    await expect.poll(() => detail.evaluate(element => element.getBoundingClientRect().top), { timeout: 5_000 }).toBeLessThan(PHONE.height)
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    expect(await detail.locator('.public-metadata').innerText()).toBe('Public metadata: {"plan":"enterprise"}')
    await screenshot(phone, 'orgs-3-detail-phone')
    await phone.locator('.org-roles').scrollIntoViewIfNeeded()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    await detail.getByRole('button', { name: 'Edit metadata' }).click()
    const dialog = phone.getByRole('dialog', { name: 'Public metadata of Acme Corp' })
    await dialog.getByLabel('Public metadata (JSON)').waitFor()
    expect((await dialog.boundingBox())!.width).toBeLessThanOrEqual(PHONE.width)
    await screenshot(phone, 'orgs-4-metadata-phone')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await phone.context().close()
  })
})

/**
 * Organization rules over HTTP (issue 14.2–14.3), the seed's two examples
 * (tests/fixtures/basic/guard-seed.ts, ORG_SEED): Clerk's afterAuth — a
 * signed-in user without an active organization is sent to /org-selection
 * (never from the selection page itself, nor on public routes) — and the
 * organization admin area that needs org:sys_memberships:manage or
 * org:sys_domains:manage (each alone passes, neither: 403 for the API, the
 * error page for a page). The token carries Clerk's org_* claims; has()
 * answers from them on the server and in the app. From the attacker's side:
 * a token minted while organization A was active used on B's routes, a
 * switch into an organization you are not in, and a removed member's next
 * request.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'
import { okJson } from '../support/admin-api'
import { ORG_DOMAINS_MANAGE, ORG_MEMBERSHIPS_MANAGE, ORG_SEED } from '../fixtures/basic/guard-seed'

// The examples' rules, and an operator's rule naming the selection page itself (which it never catches).
const SEED = { ...ORG_SEED, mfa: { enforce: 'off' }, routes: { ...ORG_SEED.routes, rules: [...ORG_SEED.routes.rules, { pattern: '/org-selection', require: { organization: true } }] } }
await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify(SEED) }))

const API = '/api/_guard/organizations'
const SWITCH = '/api/_guard/session/organization'
const siteAdmin = new CookieClient()
const owner = new CookieClient()
const manager = new CookieClient()
const domains = new CookieClient()
const member = new CookieClient()
const outsider = new CookieClient()
const betaOwner = new CookieClient()
let acme = ''
let beta = ''

const location = (response: { headers: Record<string, string | string[] | undefined> }) => String(response.headers.location ?? '')
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The token in the newest invitation email to `to`. */
async function invitationToken(to: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const { messages } = okJson<{ messages: { to: string; text: string }[] }>(await siteAdmin.send('/api/_guard/admin/outbox'))
    const found = messages.find(message => message.to === to && /token=[\w-]+/.test(message.text))
    if (found) return /token=([\w-]+)/.exec(found.text)![1]!
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`no invitation email to ${to}`)
}

/** `client` joins organization `orgId` (invited by `by`) with `role`. */
async function join(by: CookieClient, orgId: string, client: CookieClient, email: string, role: string) {
  okJson(await by.send(`${API}/${orgId}/invitations`, { json: { email, role } }))
  okJson(await client.send(`${API}/invitations/accept`, { json: { token: await invitationToken(email) } }))
}

const activate = async (client: CookieClient, organizationId: string | null) => okJson<{ claims: Record<string, unknown> }>(await client.send(SWITCH, { json: { organizationId } }))

beforeAll(async () => {
  expect((await siteAdmin.signUp('admin@rules.test')).status).toBe(200)
  for (const [client, email] of [[owner, 'owner@rules.test'], [manager, 'manager@rules.test'], [domains, 'domains@rules.test'], [member, 'member@rules.test'], [outsider, 'outsider@rules.test'], [betaOwner, 'beta@rules.test']] as const) {
    expect((await client.signUp(email)).status).toBe(200)
  }
  acme = okJson<{ organization: { id: string } }>(await owner.send(API, { json: { name: 'Acme', slug: 'acme' } })).organization.id
  beta = okJson<{ organization: { id: string } }>(await betaOwner.send(API, { json: { name: 'Beta', slug: 'beta' } })).organization.id
  await join(owner, acme, manager, 'manager@rules.test', 'org:members_manager')
  await join(owner, acme, domains, 'domains@rules.test', 'org:domains_manager')
  await join(owner, acme, member, 'member@rules.test', 'org:member')
  // The owner of Acme is a plain member of Beta.
  await join(betaOwner, beta, owner, 'owner@rules.test', 'org:member')
}, 120_000)

describe('the afterAuth example: a signed-in user without an active organization goes to /org-selection', () => {
  it('pages redirect with the return path; the API answers 403 organization_required; signed out still goes to sign-in', async () => {
    const page = await outsider.send('/org?tab=2')
    expect([page.status, location(page)]).toEqual([302, '/org-selection?redirect_url=%2Forg%3Ftab%3D2'])
    const api = await outsider.send('/api/org/whoami')
    expect(api.status).toBe(403)
    expect(api.json()).toEqual({ error: 'organization_required', error_description: expect.stringMatching(/^Choose one of your organizations \(or create one\) to continue.*rule \/api\/org\/\*\* needs an active organization/) })
    const anonymous = await rawRequest('/org')
    expect([anonymous.status, location(anonymous)]).toEqual([302, '/sign-in?redirect_url=%2Forg'])
    // A client-side navigation is told the same.
    const verdict = okJson(await outsider.send('/api/_guard/verdict?path=%2Forg'))
    expect(verdict).toMatchObject({ allow: false, status: 403, error: 'organization_required', redirect: '/org-selection?redirect_url=%2Forg' })
  })

  it('no redirect on the selection page itself (even with a rule naming it), on the invitation page, or on public routes', async () => {
    const selection = await outsider.send('/org-selection?redirect_url=%2Forg')
    expect(selection.status).toBe(200)
    expect(selection.body).toContain('Choose an organization')
    expect((await outsider.send('/org-invitation?token=x')).status).toBe(200)
    for (const path of ['/', '/public/info', '/api/public/ping']) expect((await outsider.send(path)).status, path).toBe(200)
    // Other pages without an organization rule are as before.
    expect((await outsider.send('/dashboard')).status).toBe(200)
    // The selection page is still a signed-in page.
    const anonymous = await rawRequest('/org-selection')
    expect([anonymous.status, location(anonymous)]).toEqual([302, '/sign-in?redirect_url=%2Forg-selection'])
  })

  it('choosing an organization re-mints the token with Clerk\'s claims, and the page opens', async () => {
    const { claims } = await activate(member, acme)
    expect(claims).toMatchObject({ org_id: acme, org_slug: 'acme', org_role: 'org:member', org_permissions: ['org:sys_memberships:read'] })
    const page = await member.send('/org')
    expect(page.status).toBe(200)
    expect(page.body).toContain('acme org:member active manage=false domains=false')
    expect(okJson(await member.send('/api/org/whoami'))).toEqual({ orgId: acme, orgSlug: 'acme', orgRole: 'org:member', orgPermissions: ['org:sys_memberships:read'], manage: false, domains: false, admin: false })
    expect(okJson(await member.send('/api/_guard/session'))).toMatchObject({ orgId: acme, orgSlug: 'acme', orgRole: 'org:member', orgPermissions: ['org:sys_memberships:read'] })
  })

  it('clearing the active organization sends the user back to choose', async () => {
    await activate(member, null)
    expect(location(await member.send('/org'))).toBe('/org-selection?redirect_url=%2Forg')
    await activate(member, acme)
  })
})

describe('the admin area: org:sys_memberships:manage || org:sys_domains:manage', () => {
  it('each permission alone passes, on the page and the API; has() says which', async () => {
    for (const client of [owner, manager, domains]) await activate(client, acme)
    for (const [client, role, manage, domain] of [[manager, 'org:members_manager', true, false], [domains, 'org:domains_manager', false, true], [owner, 'org:admin', true, false]] as const) {
      expect((await client.send('/org/admin')).status, role).toBe(200)
      expect(okJson(await client.send('/api/org/admin/settings'))).toEqual({ marker: 'TOP-SECRET org-admin', orgId: acme, orgRole: role })
      expect(okJson(await client.send('/api/org/whoami'))).toMatchObject({ manage, domains: domain, admin: role === 'org:admin' })
      expect((await client.send('/org')).body).toContain(`manage=${manage} domains=${domain}`)
    }
  })

  it('neither: 403 forbidden naming both for the API, the error page for a page; no organization at all: choose one first', async () => {
    const api = await member.send('/api/org/admin/settings')
    expect(api.status).toBe(403)
    expect(api.json()).toEqual({ error: 'forbidden', error_description: `You do not have access to this resource. (rule /api/org/admin/** needs one of the permissions: ${ORG_MEMBERSHIPS_MANAGE}, ${ORG_DOMAINS_MANAGE})` })
    expect(api.body).not.toContain('TOP-SECRET')
    const page = await member.send('/org/admin')
    expect(page.status).toBe(403)
    expect(page.body).not.toContain('PROTECTED-PAGE org-admin')
    expect(location(await outsider.send('/org/admin'))).toBe('/org-selection?redirect_url=%2Forg%2Fadmin')
    expect((await outsider.send('/api/org/admin/settings')).json().error).toBe('organization_required')
  })
})

describe('from the attacker\'s side', () => {
  it('switching into an organization you are not a member of is refused, and the session keeps its own', async () => {
    const refused = await member.send(SWITCH, { json: { organizationId: beta } })
    expect([refused.status, refused.json().error]).toEqual([403, 'not_a_member'])
    expect(okJson(await member.send('/api/org/whoami'))).toMatchObject({ orgId: acme })
    expect((await member.send('/api/org/beta/projects')).status).toBe(403)
    expect(okJson(await member.send('/api/org/acme/projects'))).toMatchObject({ marker: 'TOP-SECRET projects of acme' })
  })

  it('a token minted while A was active gives nothing in B: after the switch to B a copy of it is judged with the role in B', async () => {
    await activate(owner, acme)
    const acmeToken = owner.cookies.get('guard_session')!
    expect(okJson(await rawRequest('/api/org/admin/settings', { headers: bearer(acmeToken) }))).toMatchObject({ orgId: acme, orgRole: 'org:admin' })
    const { claims } = await activate(owner, beta)
    expect(claims).toMatchObject({ org_id: beta, org_slug: 'beta', org_role: 'org:member' })
    // The copy kept from before the switch: stale everywhere, judged by the session as it is now (Beta, org:member).
    const replayed = await rawRequest('/api/org/admin/settings', { headers: bearer(acmeToken) })
    expect([replayed.status, replayed.json().error]).toEqual([403, 'forbidden'])
    expect(okJson(await rawRequest('/api/org/whoami', { headers: bearer(acmeToken) }))).toMatchObject({ orgId: beta, orgRole: 'org:member', manage: false })
    // A's data by its slug is not reachable with B active, and B's admin area neither.
    expect((await owner.send('/api/org/acme/projects')).status).toBe(403)
    expect((await owner.send('/api/org/admin/settings')).status).toBe(403)
    expect(okJson(await owner.send('/api/org/beta/projects'))).toMatchObject({ orgId: beta })
  })

  it('a removed member\'s next request is refused: no organization in the re-minted token', async () => {
    const { members } = okJson<{ members: { userId: string; email: string }[] }>(await owner.send(`${API}/${acme}/members`))
    const managerId = members.find(m => m.email === 'manager@rules.test')!.userId
    const kept = manager.cookies.get('guard_session')!
    expect((await manager.send('/api/org/admin/settings')).status).toBe(200)
    await activate(owner, acme)
    expect(okJson(await owner.send(`${API}/${acme}/members/${managerId}`, { method: 'DELETE' }))).toEqual({ removed: true })
    const next = await manager.send('/api/org/admin/settings')
    expect([next.status, next.json().error]).toEqual([403, 'organization_required'])
    expect(location(await manager.send('/org/admin'))).toBe('/org-selection?redirect_url=%2Forg%2Fadmin')
    // The token from before the removal, replayed as a Bearer token: refused as well.
    const replayed = await rawRequest('/api/org/admin/settings', { headers: bearer(kept) })
    expect([replayed.status, replayed.json().error]).toEqual([403, 'organization_required'])
  })
})

describe('the claims template', () => {
  it('a template key named like an organization claim is refused; {{org.*}} renders the active organization', async () => {
    const current = okJson<{ version: number; document: Record<string, any> }>(await siteAdmin.send('/api/_guard/admin/config'))
    const refused = await siteAdmin.send('/api/_guard/admin/config', { method: 'PUT', json: { version: current.version, document: { ...current.document, claims: { template: { org_role: 'org:admin' } } } } })
    expect([refused.status, refused.json().error]).toEqual([422, 'invalid_config'])
    expect(refused.json().fields).toEqual([{ path: 'claims.template.org_role', message: expect.stringContaining('`org_role` is reserved') }])
    const template = { ...current.document.claims.template, team: '{{org.slug}}', teamRole: '{{org.role}}' }
    okJson(await siteAdmin.send('/api/_guard/admin/config', { method: 'PUT', json: { version: current.version, document: { ...current.document, claims: { template } } } }))
    const session = okJson<{ claims: Record<string, unknown> }>(await domains.send('/api/_guard/session'))
    expect(session.claims).toMatchObject({ team: 'acme', teamRole: 'org:domains_manager', org_role: 'org:domains_manager' })
    expect(okJson<{ claims: Record<string, unknown> }>(await outsider.send('/api/_guard/session')).claims).toMatchObject({ team: null, teamRole: null })
  })
})

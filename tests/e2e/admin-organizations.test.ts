/**
 * The console's Organizations API over HTTP (issue 14.4), from the
 * attacker's side: members — even an organization's own org:admin — get 403
 * from the admin routes; the console's admin acts on any organization (list
 * and search, create for an owner, add a member directly, change a role so
 * that the member's next request carries it, invite, revoke, rename,
 * remove, delete) without leaving one without an org:admin, every action
 * audited with the admin as the actor; the org role definitions are saved
 * through the config, an invalid role name refused with its field.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { ADMIN, expectError, okJson } from '../support/admin-api'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'off' }, organizations: { enabled: true } }) }))

const ORGS = `${ADMIN}/organizations`
const admin = new CookieClient()
const owner = new CookieClient()
const bob = new CookieClient()
const mallory = new CookieClient()
const ids: Record<string, string> = {}

type Details = { organization: { id: string; name: string; slug: string }; members: { userId: string; email: string; role: string }[]; membersTotal: number; invitations: { id: string; email: string; role: string; status: string }[] }
const details = async (orgId: string) => okJson<Details>(await admin.send(`${ORGS}/${orgId}`))
const claimsOf = async (client: CookieClient) => okJson<{ userId: string; claims: Record<string, any> }>(await client.send('/api/_guard/session'))

beforeAll(async () => {
  expect((await admin.signUp('admin@orgs-console.test')).status).toBe(200) // the first user is the admin
  for (const [client, name] of [[owner, 'owner'], [bob, 'bob'], [mallory, 'mallory']] as const) {
    expect((await client.signUp(`${name}@orgs-console.test`)).status).toBe(200)
    ids[name] = (await claimsOf(client)).userId
  }
})

describe('the console organizations API', () => {
  let orgId = ''

  it('a non-admin gets 403 from every admin organizations route, even as the organization\'s own org:admin; anonymous 401', async () => {
    const own = okJson<{ organization: { id: string } }>(await owner.send('/api/_guard/organizations', { json: { name: 'Owner Own' } })).organization.id
    const routes: { method: string; path: string; json?: unknown }[] = [
      { method: 'GET', path: ORGS },
      { method: 'GET', path: `${ORGS}/${own}` },
      { method: 'POST', path: ORGS, json: { name: 'Sneaky', ownerEmail: 'mallory@orgs-console.test' } },
      { method: 'PATCH', path: `${ORGS}/${own}`, json: { name: 'Hijacked' } },
      { method: 'POST', path: `${ORGS}/${own}/members`, json: { email: 'mallory@orgs-console.test', role: 'org:admin' } },
      { method: 'PUT', path: `${ORGS}/${own}/members/${ids.owner}`, json: { role: 'org:member' } },
      { method: 'DELETE', path: `${ORGS}/${own}/members/${ids.owner}` },
      { method: 'POST', path: `${ORGS}/${own}/invitations`, json: { email: 'friend@orgs-console.test' } },
      { method: 'DELETE', path: `${ORGS}/${own}` },
    ]
    for (const route of routes) {
      expectError(await new CookieClient().send(route.path, route), 401, 'unauthenticated')
      expectError(await mallory.send(route.path, route), 403, 'forbidden')
      expectError(await owner.send(route.path, route), 403, 'forbidden')
    }
    // Nothing changed: the owner is still its only member, as org:admin, under its name.
    expect(okJson(await owner.send(`/api/_guard/organizations/${own}`))).toMatchObject({ organization: { name: 'Owner Own', role: 'org:admin' } })
    expect((await details(own)).members.map(member => member.email)).toEqual(['owner@orgs-console.test'])
  })

  it('creates an organization for an owner; lists and searches by name or slug with member counts', async () => {
    const created = okJson<{ organization: { id: string; slug: string; role: string } }>(await admin.send(ORGS, { json: { name: 'Globex Console', ownerEmail: 'OWNER@orgs-console.test' } }))
    expect(created.organization).toMatchObject({ slug: 'globex-console', role: 'org:admin' })
    orgId = created.organization.id
    expect(expectError(await admin.send(ORGS, { json: { name: 'Nobody Inc', ownerEmail: 'nobody@orgs-console.test' } }), 404, 'user_not_found').field).toBe('ownerEmail')
    expect(expectError(await admin.send(ORGS, { json: { name: 'Dup', slug: 'GLOBEX-CONSOLE', ownerEmail: 'owner@orgs-console.test' } }), 409, 'slug_taken').field).toBe('slug')

    const byName = okJson<{ organizations: { id: string; memberCount: number }[]; total: number }>(await admin.send(`${ORGS}?q=globex`))
    expect(byName).toEqual({ organizations: [expect.objectContaining({ id: orgId, name: 'Globex Console', slug: 'globex-console', memberCount: 1 })], total: 1 })
    expect(okJson<{ total: number }>(await admin.send(`${ORGS}?q=${encodeURIComponent('OBEX-CON')}`)).total).toBe(1)
    expect(okJson<{ total: number }>(await admin.send(`${ORGS}?q=initech`)).total).toBe(0)
    const all = okJson<{ organizations: unknown[]; total: number }>(await admin.send(`${ORGS}?limit=1`))
    expect([all.organizations.length, all.total]).toEqual([1, 2])
    expect(expectError(await admin.send(`${ORGS}?limit=0`), 422, 'invalid_request').field).toBe('limit')
    expectError(await admin.send(`${ORGS}/org_doesnotexist`), 404, 'organization_not_found')
    expect((await details(orgId)).members).toEqual([expect.objectContaining({ userId: ids.owner, email: 'owner@orgs-console.test', role: 'org:admin' })])
  })

  it('adds a member directly; a role change reaches the member at their next request; never without an org:admin', async () => {
    const added = okJson<{ member: { userId: string; role: string } }>(await admin.send(`${ORGS}/${orgId}/members`, { json: { email: 'bob@orgs-console.test' } }))
    expect(added.member).toMatchObject({ userId: ids.bob, role: 'org:member' })
    expect(expectError(await admin.send(`${ORGS}/${orgId}/members`, { json: { email: 'bob@orgs-console.test' } }), 409, 'already_a_member').field).toBe('email')
    expect(expectError(await admin.send(`${ORGS}/${orgId}/members`, { json: { email: 'ghost@orgs-console.test' } }), 404, 'user_not_found').field).toBe('email')
    expect(expectError(await admin.send(`${ORGS}/${orgId}/members/${ids.bob}`, { method: 'PUT', json: { role: 'org:root' } }), 422, 'invalid_request').field).toBe('role')

    okJson(await bob.send('/api/_guard/session/organization', { json: { organizationId: orgId } }))
    const before = await claimsOf(bob)
    const changed = okJson(await admin.send(`${ORGS}/${orgId}/members/${ids.bob}`, { method: 'PUT', json: { role: 'org:admin' } }))
    expect(changed).toEqual({ member: { userId: ids.bob, role: 'org:admin' }, effective: 'next_request' })
    const after = await claimsOf(bob)
    expect(after.claims.cep[1], 'the next request is re-minted').toBeGreaterThan(before.claims.cep[1])
    // Carried in the token once the mint side adds the organization claims; the API says it either way.
    if ('org_role' in after.claims) expect(after.claims).toMatchObject({ org_id: orgId, org_role: 'org:admin' })
    expect(okJson(await bob.send('/api/_guard/session/organization'))).toMatchObject({ activeOrganization: { id: orgId, role: 'org:admin' } })
    expect((await details(orgId)).members.find(member => member.userId === ids.bob)?.role).toBe('org:admin')

    // Two admins: the owner may be demoted; then bob is the last one, and stays.
    okJson(await admin.send(`${ORGS}/${orgId}/members/${ids.owner}`, { method: 'PUT', json: { role: 'org:member' } }))
    expectError(await admin.send(`${ORGS}/${orgId}/members/${ids.bob}`, { method: 'PUT', json: { role: 'org:member' } }), 409, 'last_org_admin')
    expectError(await admin.send(`${ORGS}/${orgId}/members/${ids.bob}`, { method: 'DELETE' }), 409, 'last_org_admin')
    expect((await details(orgId)).members.map(member => [member.email, member.role])).toEqual([['owner@orgs-console.test', 'org:member'], ['bob@orgs-console.test', 'org:admin']])
  })

  it('invites by email (the link in the outbox, never in the answer) and revokes', async () => {
    const invited = await admin.send(`${ORGS}/${orgId}/invitations`, { json: { email: 'Carol@Orgs-Console.test', role: 'org:member' } })
    const { invitation } = okJson<{ invitation: { id: string; email: string; status: string } }>(invited)
    expect(invitation).toMatchObject({ email: 'carol@orgs-console.test', status: 'pending' })
    expect(invited.body).not.toMatch(/token/i)
    let message: { to: string; text: string } | undefined
    for (let i = 0; i < 50 && !message; i++) {
      message = okJson<{ messages: { to: string; subject: string; text: string }[] }>(await admin.send(`${ADMIN}/outbox`)).messages.find(m => m.to === 'carol@orgs-console.test')
      if (!message) await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(message?.text).toMatch(/\/org-invitation\?token=[\w-]{43}/)
    expect((await details(orgId)).invitations).toEqual([expect.objectContaining({ id: invitation.id, status: 'pending' })])

    const revoked = okJson<{ invitation: { status: string } }>(await admin.send(`${ORGS}/${orgId}/invitations/${invitation.id}`, { method: 'DELETE' }))
    expect(revoked.invitation.status).toBe('revoked')
    expect((await details(orgId)).invitations).toEqual([])
    expectError(await admin.send(`${ORGS}/${orgId}/invitations/${invitation.id}`, { method: 'DELETE' }), 404, 'invitation_not_found')
  })

  it('removes a member, renames, deletes; each action is audited with the admin as the actor, before and after', async () => {
    expect(okJson(await admin.send(`${ORGS}/${orgId}/members/${ids.owner}`, { method: 'DELETE' }))).toEqual({ removed: true })
    const renamed = okJson<{ organization: { slug: string } }>(await admin.send(`${ORGS}/${orgId}`, { method: 'PATCH', json: { name: 'Globex Renamed', slug: 'globex-renamed' } }))
    expect(renamed.organization.slug).toBe('globex-renamed')
    expect(expectError(await admin.send(`${ORGS}/${orgId}`, { method: 'PATCH', json: { slug: 'owner-own' } }), 409, 'slug_taken').field).toBe('slug')

    const { entries } = okJson<{ entries: { actorEmail: string; action: string; target: string; before: any; after: any }[] }>(await admin.send(`${ADMIN}/audit?limit=100`))
    const mine = entries.filter(entry => entry.target?.startsWith(orgId)).reverse()
    expect(mine.every(entry => entry.actorEmail === 'admin@orgs-console.test')).toBe(true)
    const find = (action: string, target = orgId) => mine.find(entry => entry.action === action && entry.target === target)
    expect(find('organization.create')).toMatchObject({ before: null, after: { slug: 'globex-console', ownerId: ids.owner } })
    expect(find('organization.member_add', `${orgId}:${ids.bob}`)).toMatchObject({ before: null, after: { email: 'bob@orgs-console.test', role: 'org:member' } })
    expect(find('organization.member_role', `${orgId}:${ids.bob}`)).toMatchObject({ before: { role: 'org:member' }, after: { role: 'org:admin' } })
    expect(find('organization.invite')).toMatchObject({ before: null, after: { email: 'carol@orgs-console.test', status: 'pending' } })
    expect(find('organization.invitation_revoke')).toMatchObject({ before: { status: 'pending' }, after: { status: 'revoked' } })
    expect(find('organization.member_remove', `${orgId}:${ids.owner}`)).toMatchObject({ before: { email: 'owner@orgs-console.test', role: 'org:member' }, after: null })
    expect(find('organization.update')).toMatchObject({ before: { name: 'Globex Console', slug: 'globex-console' }, after: { name: 'Globex Renamed', slug: 'globex-renamed' } })

    expect(okJson(await admin.send(`${ORGS}/${orgId}`, { method: 'DELETE' }))).toEqual({ deleted: true, formerMembers: 1 })
    expectError(await admin.send(`${ORGS}/${orgId}`), 404, 'organization_not_found')
    expect(okJson(await bob.send('/api/_guard/session/organization'))).toEqual({ activeOrganization: null })
  })

  it('org roles are saved through the config: an invalid role name is refused naming its field, a stale version 409, a custom role usable at once', async () => {
    const live = okJson<{ version: number; document: any }>(await admin.send(`${ADMIN}/config`))
    const withRoles = (roles: Record<string, string[]>) => ({ ...live.document, organizations: { ...live.document.organizations, roles } })
    const roles = live.document.organizations.roles as Record<string, string[]>
    const refused = expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: live.version, document: withRoles({ ...roles, Billing: ['org:invoices:read'] }) } }), 422, 'invalid_config')
    expect(refused.fields).toEqual(expect.arrayContaining([{ path: 'organizations.roles.Billing', message: expect.stringContaining('org:<role>') }]))
    const { 'org:member': _member, ...withoutMember } = roles
    const builtIn = expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: live.version, document: withRoles(withoutMember) } }), 422, 'invalid_config')
    expect(builtIn.fields.map((field: { path: string }) => field.path)).toContain('organizations.roles.org:member')

    const saved = okJson<{ version: number; document: any }>(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: live.version, document: withRoles({ ...roles, 'org:billing': ['org:invoices:read'] }) } }))
    expect(saved.version).toBe(live.version + 1)
    expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: live.version, document: withRoles(roles) } }), 409, 'stale_version')

    const org = okJson<{ organization: { id: string } }>(await admin.send(ORGS, { json: { name: 'Billing Test', ownerEmail: 'owner@orgs-console.test' } })).organization.id
    okJson(await admin.send(`${ORGS}/${org}/members`, { json: { email: 'mallory@orgs-console.test', role: 'org:billing' } }))
    expect((await details(org)).members.find(member => member.userId === ids.mallory)?.role).toBe('org:billing')
  })
})

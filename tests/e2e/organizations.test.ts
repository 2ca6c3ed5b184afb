/**
 * Organizations over HTTP (issue 14), from the attacker's side: create,
 * invite by email (the link from the outbox), accept as the invited user —
 * not as another address, not twice —, switch the session's active
 * organization (refused for an organization you are not a member of; the
 * token re-minted in the same response), members without
 * org:sys_memberships:manage refused, the last org:admin kept, and a removed
 * member's sessions losing the organization.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { okJson } from '../support/admin-api'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'off' }, organizations: { enabled: true } }) }))

const API = '/api/_guard/organizations'
const siteAdmin = new CookieClient()
const owner = new CookieClient()
const bob = new CookieClient()
const bobElsewhere = new CookieClient()
const mallory = new CookieClient()

/** The invitation link in the newest outbox message to `to`. */
async function invitationLink(to: string): Promise<URL> {
  for (let i = 0; i < 50; i++) {
    const { messages } = okJson<{ messages: { to: string; subject: string; text: string }[] }>(await siteAdmin.send('/api/_guard/admin/outbox'))
    const found = messages.find(message => message.to === to && message.subject.endsWith('You are invited to join Acme Org'))
    if (found) return new URL(/(https?:\/\/\S+\?token=[\w-]+)/.exec(found.text)![1]!)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`no invitation email to ${to}`)
}

const sessionCookie = (client: CookieClient) => client.cookies.get('guard_session')

beforeAll(async () => {
  expect((await siteAdmin.signUp('admin@org.test')).status).toBe(200)
  for (const [client, email] of [[owner, 'owner@org.test'], [mallory, 'mallory@org.test']] as const) expect((await client.signUp(email)).status).toBe(200)
})

describe('organizations over HTTP', () => {
  let orgId = ''
  let token = ''

  it('the creator becomes org:admin; the organization lists with the role', async () => {
    const created = okJson<{ organization: { id: string; slug: string; role: string; permissions: string[] } }>(await owner.send(API, { json: { name: 'Acme Org' } }))
    expect(created.organization).toMatchObject({ slug: 'acme-org', role: 'org:admin' })
    expect(created.organization.permissions).toContain('org:sys_memberships:manage')
    orgId = created.organization.id
    expect(okJson<{ organizations: { id: string }[] }>(await owner.send(API)).organizations.map(org => org.id)).toEqual([orgId])
    const taken = await mallory.send(API, { json: { name: 'Another', slug: 'ACME-ORG' } })
    expect([taken.status, taken.json().error]).toEqual([409, 'slug_taken'])
    expect((await new CookieClient().send(API)).status).toBe(401)
  })

  it('an invitation goes out by email with a link to the acceptance page; a non-member cannot invite', async () => {
    const refused = await mallory.send(`${API}/${orgId}/invitations`, { json: { email: 'mallory-friend@org.test' } })
    expect([refused.status, refused.json().error]).toEqual([403, 'not_a_member'])
    const invited = okJson<{ invitation: { email: string; role: string; status: string } }>(await owner.send(`${API}/${orgId}/invitations`, { json: { email: 'Bob@Org.test' } }))
    expect(invited.invitation).toMatchObject({ email: 'bob@org.test', role: 'org:member', status: 'pending' })
    expect(JSON.stringify(invited)).not.toContain('token')
    const link = await invitationLink('bob@org.test')
    expect(link.pathname).toBe('/org-invitation')
    token = link.searchParams.get('token')!
    expect(token).toMatch(/^[\w-]{43}$/)
  })

  it('another address cannot accept it; the invited user can, once', async () => {
    const stolen = await mallory.send(`${API}/invitations/accept`, { json: { token } })
    expect([stolen.status, stolen.json().error]).toEqual([403, 'invitation_for_another_address'])
    expect(stolen.body).not.toContain('bob@org.test')

    expect((await bob.signUp('bob@org.test')).status).toBe(200)
    expect((await bobElsewhere.signIn('bob@org.test')).status).toBe(200)
    expect(okJson(await bob.send(`${API}/invitations/preview`, { json: { token } }))).toMatchObject({ organization: { id: orgId, name: 'Acme Org' }, role: 'org:member', forYou: true })
    expect(okJson<{ organization: { role: string } }>(await bob.send(`${API}/invitations/accept`, { json: { token } })).organization.role).toBe('org:member')
    const again = await bob.send(`${API}/invitations/accept`, { json: { token } })
    expect([again.status, again.json().error]).toEqual([400, 'invalid_invitation'])
    const invitations = okJson<{ invitations: { email: string; status: string }[] }>(await owner.send(`${API}/${orgId}/invitations`))
    expect(invitations.invitations).toEqual([expect.objectContaining({ email: 'bob@org.test', status: 'accepted' })])
  })

  it('switching to an organization you are not a member of is refused; a member\'s switch re-mints the token at once', async () => {
    const refused = await mallory.send('/api/_guard/session/organization', { json: { organizationId: orgId } })
    expect([refused.status, refused.json().error]).toEqual([403, 'not_a_member'])
    expect(okJson(await mallory.send('/api/_guard/session/organization'))).toEqual({ activeOrganization: null })

    for (const client of [bob, bobElsewhere]) {
      const before = sessionCookie(client)
      const epochBefore = (okJson<{ claims: { cep: [number, number] } }>(await client.send('/api/_guard/session'))).claims.cep[1]
      const switched = okJson<{ activeOrganization: { id: string; role: string }; claims: Record<string, unknown> }>(await client.send('/api/_guard/session/organization', { json: { organizationId: orgId } }))
      expect(switched.activeOrganization).toMatchObject({ id: orgId, role: 'org:member' })
      expect(sessionCookie(client)).not.toBe(before)
      // The response's token is the one the next request carries: minted after the switch (a newer claims epoch), no further re-mint.
      expect((switched.claims.cep as number[])[1]).toBeGreaterThan(epochBefore)
      const session = okJson<{ sessionId: string; claims: Record<string, unknown> }>(await client.send('/api/_guard/session'))
      expect(session.claims.cep).toEqual(switched.claims.cep)
      // Carried in the token once the mint side adds the organization claims (Clerk's names).
      if ('org_id' in session.claims) expect(session.claims).toMatchObject({ org_id: orgId, org_slug: 'acme-org', org_role: 'org:member' })
    }
    expect(okJson(await bob.send('/api/_guard/session/organization'))).toMatchObject({ activeOrganization: { id: orgId, slug: 'acme-org' } })
  })

  it('a member without org:sys_memberships:manage cannot invite, re-role or remove; the last org:admin cannot leave or be demoted', async () => {
    const { members } = okJson<{ members: { userId: string; email: string; role: string }[] }>(await bob.send(`${API}/${orgId}/members`))
    expect(members.map(m => [m.email, m.role])).toEqual([['owner@org.test', 'org:admin'], ['bob@org.test', 'org:member']])
    const ownerId = members[0]!.userId
    const bobId = members[1]!.userId
    for (const attempt of [
      bob.send(`${API}/${orgId}/invitations`, { json: { email: 'friend@org.test' } }),
      bob.send(`${API}/${orgId}/members/${bobId}`, { method: 'PATCH', json: { role: 'org:admin' } }),
      bob.send(`${API}/${orgId}/members/${ownerId}`, { method: 'DELETE' }),
    ]) {
      const answer = await attempt
      expect([answer.status, answer.json().error, answer.json().permission]).toEqual([403, 'org_permission_required', 'org:sys_memberships:manage'])
    }
    const leave = await owner.send(`${API}/${orgId}/leave`, { method: 'POST' })
    expect([leave.status, leave.json().error]).toEqual([409, 'last_org_admin'])
    const demote = await owner.send(`${API}/${orgId}/members/${ownerId}`, { method: 'PATCH', json: { role: 'org:member' } })
    expect([demote.status, demote.json().error]).toEqual([409, 'last_org_admin'])
  })

  it('a removed member\'s sessions lose the organization, and every call into it is refused', async () => {
    const { members } = okJson<{ members: { userId: string; email: string }[] }>(await owner.send(`${API}/${orgId}/members`))
    const bobId = members.find(m => m.email === 'bob@org.test')!.userId
    const epochs = await Promise.all([bob, bobElsewhere].map(async client => okJson<{ claims: { cep: [number, number] } }>(await client.send('/api/_guard/session')).claims.cep[1]))
    expect(okJson(await owner.send(`${API}/${orgId}/members/${bobId}`, { method: 'DELETE' }))).toEqual({ removed: true })
    for (const [index, client] of [bob, bobElsewhere].entries()) {
      // The very next request re-mints: its token no longer carries the organization.
      const session = okJson<{ claims: { cep: [number, number]; org_id?: string } }>(await client.send('/api/_guard/session'))
      expect(session.claims.cep[1]).toBeGreaterThan(epochs[index]!)
      expect(session.claims.org_id).toBeUndefined()
      expect(okJson(await client.send('/api/_guard/session/organization'))).toEqual({ activeOrganization: null })
      const read = await client.send(`${API}/${orgId}`)
      expect([read.status, read.json().error]).toEqual([403, 'not_a_member'])
      const back = await client.send('/api/_guard/session/organization', { json: { organizationId: orgId } })
      expect([back.status, back.json().error]).toEqual([403, 'not_a_member'])
    }
    expect(okJson<{ organizations: unknown[] }>(await bob.send(API)).organizations).toEqual([])
  })

  it('every change is in the audit log', async () => {
    const { entries } = okJson<{ entries: { action: string }[] }>(await siteAdmin.send('/api/_guard/admin/audit?limit=100'))
    const actions = new Set(entries.map(entry => entry.action))
    for (const action of ['organization.create', 'organization.invite', 'organization.invitation_accept', 'session.active_organization', 'organization.member_remove']) {
      expect(actions.has(action), action).toBe(true)
    }
  })
})

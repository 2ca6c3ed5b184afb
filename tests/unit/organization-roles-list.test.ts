/**
 * The roles a member may choose from on the organization page (GET
 * /organizations/:id/roles): any member reads them, in the config's order and
 * as saved now; a non-member learns nothing, not even whether the
 * organization exists; switched off, nobody does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOrganization } from '../../modules/guard/runtime/core/organizations/organizations'
import { inviteToOrganization } from '../../modules/guard/runtime/core/organizations/invitations'
import { acceptOrgInvitationToken } from '../../modules/guard/runtime/core/organizations/accept'
import { listOrgRoles } from '../../modules/guard/runtime/core/organizations/role-list'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

const ROLES = {
  'org:admin': ['org:sys_profile:manage', 'org:sys_profile:delete', 'org:sys_memberships:read', 'org:sys_memberships:manage'],
  'org:member': ['org:sys_memberships:read'],
  'org:billing': ['org:invoices:read'],
}

describe('organization roles for members', () => {
  let engine: MfaEngine
  beforeAll(async () => {
    engine = await startMfaEngine({ organizations: { enabled: true, roles: ROLES } })
  }, 60_000)
  afterAll(async () => { await engine?.close() })

  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number }) => error)
  async function orgWithMember() {
    const owner = await newUser(engine, 'owner')
    const member = await newUser(engine, 'member')
    const org = await createOrganization(engine.guard, { userId: owner.userId }, { name: 'Roles Inc', slug: `roles-${owner.userId.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}` })
    const { delivery } = await inviteToOrganization(engine.guard, { userId: owner.userId }, org.id, { email: member.email }, 'https://app.example.test/org-invitation')
    await delivery
    const token = /token=([\w-]+)/.exec(engine.mail.filter(m => m.to === member.email).at(-1)!.text)![1]!
    await acceptOrgInvitationToken(engine.guard, { userId: member.userId }, token)
    return { owner, member, org }
  }

  it('an admin and a plain member both read every role with its permissions, in the config\'s order', async () => {
    const { owner, member, org } = await orgWithMember()
    const expected = Object.entries(ROLES).map(([key, permissions]) => ({ key, permissions }))
    expect(await listOrgRoles(engine.guard, org.id, owner.userId)).toEqual(expected)
    expect(await listOrgRoles(engine.guard, org.id, member.userId)).toEqual(expected)
  })

  it('a non-member gets 403 not_a_member, the same for an organization that does not exist', async () => {
    const { org } = await orgWithMember()
    const outsider = await newUser(engine, 'outsider')
    expect(await refusal(listOrgRoles(engine.guard, org.id, outsider.userId))).toMatchObject({ code: 'not_a_member', status: 403 })
    expect(await refusal(listOrgRoles(engine.guard, 'org_doesnotexist', outsider.userId))).toMatchObject({ code: 'not_a_member', status: 403 })
  })

  it('answers the roles saved now: a role added in the console is offered at once; switched off, 403 organizations_disabled', async () => {
    const { member, org } = await orgWithMember()
    const config = engine.guard.live.policy.config
    await engine.guard.live.save({ ...config, organizations: { ...config.organizations, roles: { ...ROLES, 'org:support': [] } } }, { expectedVersion: engine.guard.live.policy.version })
    try {
      expect((await listOrgRoles(engine.guard, org.id, member.userId)).map(role => role.key)).toEqual(['org:admin', 'org:member', 'org:billing', 'org:support'])
      const now = engine.guard.live.policy.config
      await engine.guard.live.save({ ...now, organizations: { ...now.organizations, enabled: false } }, { expectedVersion: engine.guard.live.policy.version })
      expect(await refusal(listOrgRoles(engine.guard, org.id, member.userId))).toMatchObject({ code: 'organizations_disabled', status: 403 })
    }
    finally {
      await engine.guard.live.save(config, { expectedVersion: engine.guard.live.policy.version })
    }
  })

  it('the answer is a copy: changing it changes nothing in the live config', async () => {
    const { member, org } = await orgWithMember()
    const [admin] = await listOrgRoles(engine.guard, org.id, member.userId)
    admin!.permissions.length = 0
    expect(engine.guard.live.policy.config.organizations.roles['org:admin']).toEqual(ROLES['org:admin'])
  })
})

/**
 * The console's organizations (issue 14.4): the operator variants of the
 * organization services against PGlite. An operator acts on any
 * organization without being a member, but the invariants hold for them
 * too (never without an org:admin, only known roles, tokens re-minted), and
 * every action is audited with the operator as the actor, before and after.
 * From the other side: a member cannot use the console-only functions, and
 * stays limited to their own organizations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OrgActor } from '../../modules/guard/runtime/core/organizations/access'
import { addOrgMember, createOrganizationFor, listOrganizationsForConsole, organizationDetails } from '../../modules/guard/runtime/core/organizations/console'
import { changeMemberRole, removeMember } from '../../modules/guard/runtime/core/organizations/members'
import { createOrganization } from '../../modules/guard/runtime/core/organizations/organizations'
import { deleteOrganization, updateOrganizationProfile } from '../../modules/guard/runtime/core/organizations/profile'
import { inviteToOrganization, revokeInvitation } from '../../modules/guard/runtime/core/organizations/invitations'
import { findOrgMembership } from '../../modules/guard/runtime/core/store/org-memberships'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

const ACCEPT_URL = 'https://app.example.test/org-invitation'

describe('organizations in the admin console (operator variants)', () => {
  let engine: MfaEngine
  let operator: OrgActor
  beforeAll(async () => {
    engine = await startMfaEngine({ organizations: { enabled: true } })
    const admin = await newUser(engine, 'site-admin') // the first user is the site's admin
    operator = { userId: admin.userId, ip: '203.0.113.9', kind: 'operator' }
  }, 60_000)
  afterAll(async () => { await engine?.close() })

  type User = Awaited<ReturnType<typeof newUser>>
  let n = 0
  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number; details: Record<string, unknown> }) => error)
  /** An organization that `owner` created (its only org:admin) with `members` added as org:member. */
  async function orgOf(owner: User, ...members: User[]) {
    const org = await createOrganization(engine.guard, { userId: owner.userId }, { name: `Team ${++n}`, slug: `team-${n}-${Date.now().toString(36)}` })
    for (const member of members) await addOrgMember(engine.guard, operator, org.id, { email: member.email, role: 'org:member' })
    return org
  }
  const audit = (target: string) => engine.db.query<{ actor_id: string; action: string; before: any; after: any; ip: string }>(
    'select actor_id, action, before, after, ip from guard_audit where target = $1 order by id', [target])
  const epoch = (userId: string) => engine.guard.authenticator.epochs.userEpoch(userId)

  it('an operator who is not a member changes roles in any organization; the member is re-minted; audited with before and after', async () => {
    const [owner, bob] = [await newUser(engine, 'owner'), await newUser(engine, 'bob')]
    const org = await orgOf(owner, bob)
    expect(await findOrgMembership(engine.db, org.id, operator.userId)).toBeUndefined()
    const before = epoch(bob.userId)
    expect(await changeMemberRole(engine.guard, operator, org.id, bob.userId, 'org:admin')).toEqual({ userId: bob.userId, role: 'org:admin' })
    expect((await findOrgMembership(engine.db, org.id, bob.userId))?.role).toBe('org:admin')
    expect(epoch(bob.userId)).toBeGreaterThan(before)
    expect((await audit(`${org.id}:${bob.userId}`)).at(-1)).toEqual({
      actor_id: operator.userId, action: 'organization.member_role', ip: '203.0.113.9',
      before: { email: bob.email, role: 'org:member' }, after: { email: bob.email, role: 'org:admin' },
    })
    // Now two admins: the operator may demote the owner and remove them.
    await changeMemberRole(engine.guard, operator, org.id, owner.userId, 'org:member')
    expect(await removeMember(engine.guard, operator, org.id, owner.userId)).toEqual({ removed: true })
    expect((await audit(`${org.id}:${owner.userId}`)).at(-1)).toMatchObject({ action: 'organization.member_remove', before: { email: owner.email, role: 'org:member' }, after: null })
  })

  it('an operator cannot leave an organization without an org:admin: the last one is neither demoted nor removed, and nothing is audited', async () => {
    const [owner, bob] = [await newUser(engine, 'owner'), await newUser(engine, 'bob')]
    const org = await orgOf(owner, bob)
    const entries = (await audit(`${org.id}:${owner.userId}`)).length
    expect(await refusal(changeMemberRole(engine.guard, operator, org.id, owner.userId, 'org:member'))).toMatchObject({ code: 'last_org_admin', status: 409 })
    expect(await refusal(removeMember(engine.guard, operator, org.id, owner.userId))).toMatchObject({ code: 'last_org_admin', status: 409 })
    expect((await findOrgMembership(engine.db, org.id, owner.userId))?.role).toBe('org:admin')
    expect(await audit(`${org.id}:${owner.userId}`)).toHaveLength(entries)
    // Roles the config does not define are refused, for operators too.
    expect(await refusal(changeMemberRole(engine.guard, operator, org.id, bob.userId, 'org:root'))).toMatchObject({ code: 'invalid_request', status: 422, details: { field: 'role' } })
    expect(await refusal(changeMemberRole(engine.guard, operator, 'org_doesnotexist', bob.userId, 'org:admin'))).toMatchObject({ code: 'organization_not_found', status: 404 })
    expect(await refusal(changeMemberRole(engine.guard, operator, org.id, operator.userId, 'org:admin'))).toMatchObject({ code: 'member_not_found', status: 404 })
  })

  it('an operator adds an existing user directly (audited), not twice, not an unknown address', async () => {
    const [owner, carol] = [await newUser(engine, 'owner'), await newUser(engine, 'carol')]
    const org = await orgOf(owner)
    const before = epoch(carol.userId)
    const member = await addOrgMember(engine.guard, operator, org.id, { email: carol.email.toUpperCase(), role: 'org:admin' })
    expect(member).toMatchObject({ userId: carol.userId, email: carol.email, role: 'org:admin' })
    expect(epoch(carol.userId)).toBeGreaterThan(before)
    expect(await audit(`${org.id}:${carol.userId}`)).toEqual([{ actor_id: operator.userId, action: 'organization.member_add', ip: '203.0.113.9', before: null, after: { email: carol.email, role: 'org:admin' } }])
    expect(await refusal(addOrgMember(engine.guard, operator, org.id, { email: carol.email, role: 'org:member' }))).toMatchObject({ code: 'already_a_member', status: 409 })
    expect(await refusal(addOrgMember(engine.guard, operator, org.id, { email: 'nobody@example.test', role: 'org:member' }))).toMatchObject({ code: 'user_not_found', status: 404, details: { field: 'email' } })
    expect(await refusal(addOrgMember(engine.guard, operator, 'org_doesnotexist', { email: carol.email, role: 'org:member' }))).toMatchObject({ code: 'organization_not_found' })
  })

  it('a member cannot use the console-only functions, and an operator variant does not widen what members may do', async () => {
    const [owner, mallory] = [await newUser(engine, 'owner'), await newUser(engine, 'mallory')]
    const org = await orgOf(owner)
    const asMember: OrgActor = { userId: mallory.userId }
    expect(await refusal(addOrgMember(engine.guard, asMember, org.id, { email: mallory.email, role: 'org:admin' }))).toMatchObject({ code: 'org_permission_required', status: 403 })
    expect(await refusal(listOrganizationsForConsole(engine.guard, asMember, { q: '', limit: 10, offset: 0 }))).toMatchObject({ code: 'org_permission_required' })
    expect(await refusal(organizationDetails(engine.guard, asMember, org.id))).toMatchObject({ code: 'org_permission_required' })
    expect(await refusal(createOrganizationFor(engine.guard, { userId: owner.userId }, { name: 'X', ownerEmail: mallory.email }))).toMatchObject({ code: 'org_permission_required' })
    expect(await refusal(changeMemberRole(engine.guard, asMember, org.id, owner.userId, 'org:member'))).toMatchObject({ code: 'not_a_member' })
    expect(await refusal(updateOrganizationProfile(engine.guard, asMember, org.id, { name: 'Hijacked' }))).toMatchObject({ code: 'not_a_member' })
    // A member's own createOrganization cannot hand the organization to someone else.
    const own = await createOrganization(engine.guard, asMember, { name: 'Mine', slug: `mine-${++n}` }, { ownerId: owner.userId })
    expect((await findOrgMembership(engine.db, own.id, mallory.userId))?.role).toBe('org:admin')
    expect(await findOrgMembership(engine.db, own.id, owner.userId)).toBeUndefined()
  })

  it('an operator creates an organization for an owner, lists and searches them all with member counts, reads one with members and pending invitations', async () => {
    const [dana, erin] = [await newUser(engine, 'dana'), await newUser(engine, 'erin')]
    const org = await createOrganizationFor(engine.guard, operator, { name: 'Zebra 100% Co', ownerEmail: dana.email })
    expect(org).toMatchObject({ slug: 'zebra-100-co', role: 'org:admin' })
    expect((await findOrgMembership(engine.db, org.id, dana.userId))?.role).toBe('org:admin')
    expect(await findOrgMembership(engine.db, org.id, operator.userId)).toBeUndefined()
    expect(await audit(org.id)).toEqual([{ actor_id: operator.userId, action: 'organization.create', ip: '203.0.113.9', before: null, after: { name: 'Zebra 100% Co', slug: 'zebra-100-co', ownerId: dana.userId } }])
    expect(await refusal(createOrganizationFor(engine.guard, operator, { name: 'Other', ownerEmail: 'nobody@example.test' }))).toMatchObject({ code: 'user_not_found', details: { field: 'ownerEmail' } })
    expect(await refusal(createOrganizationFor(engine.guard, operator, { name: 'Other', slug: 'ZEBRA-100-CO'.toLowerCase(), ownerEmail: dana.email }))).toMatchObject({ code: 'slug_taken' })

    engine.clock.advance(1_000)
    await addOrgMember(engine.guard, operator, org.id, { email: erin.email, role: 'org:member' })
    const byName = await listOrganizationsForConsole(engine.guard, operator, { q: 'zebra 100%', limit: 10, offset: 0 })
    expect(byName).toEqual({ organizations: [expect.objectContaining({ id: org.id, name: 'Zebra 100% Co', memberCount: 2 })], total: 1 })
    expect((await listOrganizationsForConsole(engine.guard, operator, { q: 'ZEBRA-100', limit: 10, offset: 0 })).total).toBe(1) // the slug
    expect((await listOrganizationsForConsole(engine.guard, operator, { q: 'zebra_100', limit: 10, offset: 0 })).total).toBe(0) // `_` is literal
    const all = await listOrganizationsForConsole(engine.guard, operator, { q: '', limit: 2, offset: 0 })
    expect(all.organizations).toHaveLength(2)
    expect(all.total).toBeGreaterThan(2)

    const { invitation: kept } = await inviteToOrganization(engine.guard, operator, org.id, { email: 'kept@example.test' }, ACCEPT_URL)
    const { invitation: dropped } = await inviteToOrganization(engine.guard, operator, org.id, { email: 'dropped@example.test', role: 'org:admin' }, ACCEPT_URL)
    expect(await revokeInvitation(engine.guard, operator, org.id, dropped.id)).toMatchObject({ status: 'revoked' })
    const details = await organizationDetails(engine.guard, operator, org.id)
    expect(details.organization).toMatchObject({ id: org.id, name: 'Zebra 100% Co' })
    expect(details.members.map(member => [member.email, member.role])).toEqual([[dana.email, 'org:admin'], [erin.email, 'org:member']])
    expect(details.membersTotal).toBe(2)
    expect(details.invitations.map(invitation => invitation.id)).toEqual([kept.id])
    const invites = (await audit(org.id)).filter(entry => entry.action.startsWith('organization.invit'))
    expect(invites.map(entry => [entry.action, entry.actor_id, entry.before?.status ?? null, entry.after?.status])).toEqual([
      ['organization.invite', operator.userId, null, 'pending'],
      ['organization.invite', operator.userId, null, 'pending'],
      ['organization.invitation_revoke', operator.userId, 'pending', 'revoked'],
    ])
    expect(await refusal(organizationDetails(engine.guard, operator, 'org_doesnotexist'))).toMatchObject({ code: 'organization_not_found', status: 404 })
  })

  it('an operator renames and deletes any organization; the members are re-minted; audited with before and after', async () => {
    const [owner, bob] = [await newUser(engine, 'owner'), await newUser(engine, 'bob')]
    const org = await orgOf(owner, bob)
    const renamed = await updateOrganizationProfile(engine.guard, operator, org.id, { name: 'Renamed by ops', slug: `ops-${n}` })
    expect(renamed).toMatchObject({ id: org.id, name: 'Renamed by ops', slug: `ops-${n}` })
    expect((await audit(org.id)).at(-1)).toMatchObject({ action: 'organization.update', actor_id: operator.userId, before: { name: org.name, slug: org.slug }, after: { name: 'Renamed by ops', slug: `ops-${n}` } })
    const before = epoch(bob.userId)
    expect(await deleteOrganization(engine.guard, operator, org.id)).toEqual({ deleted: true, formerMembers: 2 })
    expect(epoch(bob.userId)).toBeGreaterThan(before)
    expect((await audit(org.id)).at(-1)).toMatchObject({ action: 'organization.delete', actor_id: operator.userId, before: { name: 'Renamed by ops', members: 2 }, after: null })
    expect(await refusal(deleteOrganization(engine.guard, operator, org.id))).toMatchObject({ code: 'organization_not_found', status: 404 })
  })

  it('while organizations are switched off an operator still manages them, but sends no invitation (its link could not be accepted)', async () => {
    const [owner, bob] = [await newUser(engine, 'owner'), await newUser(engine, 'bob')]
    const org = await orgOf(owner, bob)
    const config = engine.guard.live.policy.config
    await engine.guard.live.save({ ...config, organizations: { ...config.organizations, enabled: false } }, { expectedVersion: engine.guard.live.policy.version })
    try {
      expect(await changeMemberRole(engine.guard, operator, org.id, bob.userId, 'org:admin')).toMatchObject({ role: 'org:admin' })
      expect((await organizationDetails(engine.guard, operator, org.id)).membersTotal).toBe(2)
      expect(await refusal(inviteToOrganization(engine.guard, operator, org.id, { email: 'later@example.test' }, ACCEPT_URL))).toMatchObject({ code: 'organizations_disabled', status: 403 })
      expect(await refusal(changeMemberRole(engine.guard, { userId: owner.userId }, org.id, bob.userId, 'org:member'))).toMatchObject({ code: 'organizations_disabled' })
    }
    finally {
      await engine.guard.live.save({ ...engine.guard.live.policy.config, organizations: config.organizations }, { expectedVersion: engine.guard.live.policy.version })
    }
  })
})

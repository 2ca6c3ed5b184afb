/**
 * Organizations (issue 14), the services from the attacker's side: switching
 * to an organization you are not a member of, an invitation used twice, by
 * another address, after it expired or was withdrawn, members without
 * org:sys_memberships:manage inviting or removing, the last org:admin
 * leaving or demoted, one organization's manager reaching into another.
 */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOrganization, getOrganization, listMyOrganizations } from '../../modules/guard/runtime/core/organizations/organizations'
import { deleteOrganization, updateOrganization } from '../../modules/guard/runtime/core/organizations/profile'
import { changeMemberRole, leaveOrganization, listMembers, removeMember } from '../../modules/guard/runtime/core/organizations/members'
import { inviteToOrganization, listInvitations, revokeInvitation } from '../../modules/guard/runtime/core/organizations/invitations'
import { acceptOrgInvitationToken, previewOrgInvitation } from '../../modules/guard/runtime/core/organizations/accept'
import { activeOrgClaims, setActiveOrganization } from '../../modules/guard/runtime/core/organizations/active'
import { ORGANIZATION_ERROR_CODES } from '../../modules/guard/runtime/core/organizations/errors'
import { sessionActiveOrgId } from '../../modules/guard/runtime/core/store/sessions'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

const ACCEPT_URL = 'https://app.example.test/org-invitation'
const ALL_ADMIN = ['org:sys_profile:manage', 'org:sys_profile:delete', 'org:sys_memberships:read', 'org:sys_memberships:manage']

describe('organizations (services)', () => {
  let engine: MfaEngine
  beforeAll(async () => {
    engine = await startMfaEngine({ organizations: { enabled: true } })
    await newUser(engine, 'site-admin') // the first user is the site's admin; the others are plain members
  }, 60_000)
  afterAll(async () => { await engine?.close() })

  type User = Awaited<ReturnType<typeof newUser>>
  let slugs = 0
  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number; details: unknown }) => error)
  const create = (owner: User, name = `Org ${++slugs}`) => createOrganization(engine.guard, { userId: owner.userId }, { name, slug: `org-${slugs}-${owner.userId.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}` })
  const invite = async (by: User, orgId: string, email: string, role?: string) => {
    const { invitation, delivery } = await inviteToOrganization(engine.guard, { userId: by.userId }, orgId, { email, role }, ACCEPT_URL)
    await delivery
    return invitation
  }
  const tokenFor = (to: string) => /token=([\w-]+)/.exec(engine.mail.filter(m => m.to === to).at(-1)!.text)![1]!
  const accept = (user: User, token: string) => acceptOrgInvitationToken(engine.guard, { userId: user.userId }, token)
  /** An organization of `owner` with `member` in it as org:member (invited and accepted). */
  async function orgWith(owner: User, member: User) {
    const org = await create(owner)
    await invite(owner, org.id, member.email)
    await accept(member, tokenFor(member.email))
    return org
  }

  describe('create, read, rename', () => {
    it('the creator is the first org:admin with every system permission; the slug is made from the name when not given', async () => {
      const ada = await newUser(engine, 'ada')
      const org = await createOrganization(engine.guard, { userId: ada.userId }, { name: 'Ångström & Co.' })
      expect(org).toMatchObject({ name: 'Ångström & Co.', slug: 'angstrom-co', role: 'org:admin', permissions: ALL_ADMIN })
      expect(await listMyOrganizations(engine.guard, ada.userId)).toEqual([org])
      expect(await getOrganization(engine.guard, org.id, ada.userId)).toEqual(org)
      expect(await engine.db.query('select action from guard_audit where target = $1', [org.id])).toEqual([{ action: 'organization.create' }])
    })

    it('a slug another organization has, in any case, is refused with 409; a name with no usable slug asks for one', async () => {
      const ada = await newUser(engine, 'ada')
      await createOrganization(engine.guard, { userId: ada.userId }, { name: 'Taken', slug: 'taken-slug' })
      expect(await refusal(createOrganization(engine.guard, { userId: ada.userId }, { name: 'Other', slug: 'taken-slug' }))).toMatchObject({ code: 'slug_taken', status: 409 })
      expect(await refusal(createOrganization(engine.guard, { userId: ada.userId }, { name: '日本' }))).toMatchObject({ code: 'invalid_request', details: { field: 'slug' } })
    })

    it('a non-member gets 403 not_a_member for an organization, the same as for one that does not exist', async () => {
      const [owner, mallory] = [await newUser(engine, 'owner'), await newUser(engine, 'mallory')]
      const org = await create(owner)
      const real = await refusal(getOrganization(engine.guard, org.id, mallory.userId))
      const none = await refusal(getOrganization(engine.guard, 'org_doesnotexist', mallory.userId))
      expect([real.code, real.status]).toEqual(['not_a_member', 403])
      expect(none).toEqual(real)
    })

    it('renaming needs org:sys_profile:manage; a taken slug is refused', async () => {
      const [owner, member] = [await newUser(engine, 'owner'), await newUser(engine, 'member')]
      const org = await orgWith(owner, member)
      expect(await refusal(updateOrganization(engine.guard, { userId: member.userId }, org.id, { name: 'Hijacked' })))
        .toMatchObject({ code: 'org_permission_required', status: 403, details: { permission: 'org:sys_profile:manage' } })
      const other = await create(owner)
      expect(await refusal(updateOrganization(engine.guard, { userId: owner.userId }, org.id, { slug: other.slug.toUpperCase().toLowerCase() }))).toMatchObject({ code: 'slug_taken' })
      expect(await updateOrganization(engine.guard, { userId: owner.userId }, org.id, { name: 'Renamed', slug: `renamed-${slugs}` })).toMatchObject({ name: 'Renamed', slug: `renamed-${slugs}` })
    })
  })

  describe('invitations', () => {
    it('an invitation emails a link with a token that is stored only as a keyed hash; the invitee (any case of the address) joins with its role', async () => {
      const [owner, bob] = [await newUser(engine, 'owner'), await newUser(engine, 'bob')]
      const org = await create(owner, 'Acme Invitations')
      const invitation = await invite(owner, org.id, bob.email.toUpperCase(), 'org:admin')
      expect(invitation).toMatchObject({ email: bob.email, role: 'org:admin', status: 'pending' })
      const mail = engine.mail.at(-1)!
      expect(mail).toMatchObject({ to: bob.email, subject: 'You are invited to join Acme Invitations' })
      expect(mail.text).toContain(`${ACCEPT_URL}?token=`)
      const token = tokenFor(bob.email)
      expect(JSON.stringify(await engine.db.query('select * from guard_org_invitations'))).not.toContain(token)
      expect(await previewOrgInvitation(engine.guard, { userId: bob.userId }, token)).toMatchObject({ organization: { id: org.id, name: 'Acme Invitations' }, role: 'org:admin', email: bob.email, forYou: true })
      expect(await accept(bob, token)).toMatchObject({ id: org.id, role: 'org:admin', permissions: ALL_ADMIN })
      expect((await listInvitations(engine.guard, org.id, owner.userId))[0]).toMatchObject({ id: invitation.id, status: 'accepted' })
    })

    it('an invitation used twice is refused the second time, also by another invited-looking user', async () => {
      const [owner, bob] = [await newUser(engine, 'owner'), await newUser(engine, 'bob')]
      const org = await create(owner)
      await invite(owner, org.id, bob.email)
      const token = tokenFor(bob.email)
      await accept(bob, token)
      await leaveOrganization(engine.guard, { userId: bob.userId }, org.id)
      expect(await refusal(accept(bob, token))).toMatchObject({ code: 'invalid_invitation', status: 400 })
      expect(await refusal(previewOrgInvitation(engine.guard, { userId: bob.userId }, token))).toMatchObject({ code: 'invalid_invitation' })
    })

    it('an invitation accepted by another address is refused and stays usable by its addressee', async () => {
      const [owner, bob, mallory] = [await newUser(engine, 'owner'), await newUser(engine, 'bob'), await newUser(engine, 'mallory')]
      const org = await create(owner)
      await invite(owner, org.id, bob.email)
      const token = tokenFor(bob.email)
      const refused = await refusal(accept(mallory, token))
      expect(refused).toMatchObject({ code: 'invitation_for_another_address', status: 403 })
      expect(JSON.stringify(refused)).not.toContain(bob.email)
      expect(await refusal(getOrganization(engine.guard, org.id, mallory.userId))).toMatchObject({ code: 'not_a_member' })
      expect(await accept(bob, token)).toMatchObject({ role: 'org:member' })
    })

    it('an expired, a withdrawn, a replaced and a made-up token are all 400 invalid_invitation', async () => {
      const [owner, bob, cat, dan] = [await newUser(engine, 'owner'), await newUser(engine, 'bob'), await newUser(engine, 'cat'), await newUser(engine, 'dan')]
      const org = await create(owner)
      await invite(owner, org.id, bob.email)
      const expired = tokenFor(bob.email)
      engine.clock.advance(72 * 3_600_000)
      expect(await refusal(accept(bob, expired))).toMatchObject({ code: 'invalid_invitation' })
      const withdrawn = await invite(owner, org.id, cat.email)
      await revokeInvitation(engine.guard, { userId: owner.userId }, org.id, withdrawn.id)
      expect(await refusal(accept(cat, tokenFor(cat.email)))).toMatchObject({ code: 'invalid_invitation' })
      await invite(owner, org.id, dan.email)
      const first = tokenFor(dan.email)
      await invite(owner, org.id, dan.email)
      expect(await refusal(accept(dan, first))).toMatchObject({ code: 'invalid_invitation' })
      expect(await refusal(accept(dan, 'made-up-token'))).toMatchObject({ code: 'invalid_invitation' })
      expect(await accept(dan, tokenFor(dan.email))).toMatchObject({ id: org.id })
    })

    it('a member without org:sys_memberships:manage cannot invite, list or withdraw invitations', async () => {
      const [owner, member] = [await newUser(engine, 'owner'), await newUser(engine, 'member')]
      const org = await orgWith(owner, member)
      const pending = await invite(owner, org.id, 'someone@example.test')
      const manage = { code: 'org_permission_required', status: 403, details: { permission: 'org:sys_memberships:manage' } }
      expect(await refusal(invite(member, org.id, 'friend@example.test'))).toMatchObject(manage)
      expect(await refusal(listInvitations(engine.guard, org.id, member.userId))).toMatchObject(manage)
      expect(await refusal(revokeInvitation(engine.guard, { userId: member.userId }, org.id, pending.id))).toMatchObject(manage)
    })

    it('inviting a member is 409 already_a_member; an unknown role is 422 naming role', async () => {
      const [owner, member] = [await newUser(engine, 'owner'), await newUser(engine, 'member')]
      const org = await orgWith(owner, member)
      expect(await refusal(invite(owner, org.id, member.email.toUpperCase()))).toMatchObject({ code: 'already_a_member', status: 409 })
      expect(await refusal(invite(owner, org.id, 'x@example.test', 'org:owner'))).toMatchObject({ code: 'invalid_request', details: { field: 'role' } })
    })
  })

  describe('roles, removal, leaving', () => {
    it('a member without org:sys_memberships:manage cannot remove or re-role anyone', async () => {
      const [owner, member, other] = [await newUser(engine, 'owner'), await newUser(engine, 'member'), await newUser(engine, 'other')]
      const org = await orgWith(owner, member)
      await invite(owner, org.id, other.email)
      await accept(other, tokenFor(other.email))
      expect(await refusal(removeMember(engine.guard, { userId: member.userId }, org.id, other.userId))).toMatchObject({ code: 'org_permission_required' })
      expect(await refusal(changeMemberRole(engine.guard, { userId: member.userId }, org.id, member.userId, 'org:admin'))).toMatchObject({ code: 'org_permission_required' })
      expect((await listMembers(engine.guard, org.id, member.userId, { limit: 10, offset: 0 })).total).toBe(3)
    })

    it('one organization\'s admin reaches into no other organization', async () => {
      const [a, b, bMember] = [await newUser(engine, 'a'), await newUser(engine, 'b'), await newUser(engine, 'b-member')]
      await create(a)
      const orgB = await orgWith(b, bMember)
      expect(await refusal(removeMember(engine.guard, { userId: a.userId }, orgB.id, bMember.userId))).toMatchObject({ code: 'not_a_member' })
      expect(await refusal(listMembers(engine.guard, orgB.id, a.userId, { limit: 10, offset: 0 }))).toMatchObject({ code: 'not_a_member' })
      expect(await refusal(invite(a, orgB.id, a.email))).toMatchObject({ code: 'not_a_member' })
    })

    it('the last org:admin cannot leave, be demoted or removed; with a second admin they can', async () => {
      const [owner, member] = [await newUser(engine, 'owner'), await newUser(engine, 'member')]
      const org = await orgWith(owner, member)
      const last = { code: 'last_org_admin', status: 409 }
      expect(await refusal(leaveOrganization(engine.guard, { userId: owner.userId }, org.id))).toMatchObject(last)
      expect(await refusal(changeMemberRole(engine.guard, { userId: owner.userId }, org.id, owner.userId, 'org:member'))).toMatchObject(last)
      expect(await refusal(removeMember(engine.guard, { userId: owner.userId }, org.id, owner.userId))).toMatchObject(last)
      await changeMemberRole(engine.guard, { userId: owner.userId }, org.id, member.userId, 'org:admin')
      // Two admins demoting each other at once: one wins, one is refused — never zero admins.
      const both = await Promise.allSettled([
        changeMemberRole(engine.guard, { userId: owner.userId }, org.id, member.userId, 'org:member'),
        changeMemberRole(engine.guard, { userId: member.userId }, org.id, owner.userId, 'org:member'),
      ])
      expect(both.map(result => result.status).sort()).toEqual(['fulfilled', 'rejected'])
      const admins = (await listMembers(engine.guard, org.id, member.userId, { limit: 10, offset: 0 }).catch(() => listMembers(engine.guard, org.id, owner.userId, { limit: 10, offset: 0 })))
        .members.filter(m => m.role === 'org:admin')
      expect(admins).toHaveLength(1)
      const admin = admins[0]!.userId === owner.userId ? owner : member
      const other = admin === owner ? member : owner
      await changeMemberRole(engine.guard, { userId: admin.userId }, org.id, other.userId, 'org:admin')
      expect(await leaveOrganization(engine.guard, { userId: admin.userId }, org.id)).toEqual({ left: true })
      expect(await refusal(getOrganization(engine.guard, org.id, admin.userId))).toMatchObject({ code: 'not_a_member' })
    })
  })

  describe('the active organization of a session', () => {
    it('switching to an organization you are not a member of is refused and changes nothing', async () => {
      const [owner, mallory] = [await newUser(engine, 'owner'), await newUser(engine, 'mallory')]
      const mine = await create(mallory)
      const theirs = await create(owner)
      await setActiveOrganization(engine.guard, { userId: mallory.userId }, mallory.sessionId, mine.id)
      expect(await refusal(setActiveOrganization(engine.guard, { userId: mallory.userId }, mallory.sessionId, theirs.id))).toMatchObject({ code: 'not_a_member', status: 403 })
      expect(await refusal(setActiveOrganization(engine.guard, { userId: mallory.userId }, mallory.sessionId, 'org_doesnotexist'))).toMatchObject({ code: 'not_a_member' })
      // Naming someone else's session changes nothing either.
      expect(await refusal(setActiveOrganization(engine.guard, { userId: mallory.userId }, owner.sessionId, mine.id))).toMatchObject({ code: 'not_a_member' })
      expect(await sessionActiveOrgId(engine.db, mallory.sessionId)).toBe(mine.id)
      expect(await sessionActiveOrgId(engine.db, owner.sessionId)).toBeNull()
      expect(await activeOrgClaims(engine.db, mallory.sessionId, engine.guard.live.policy.config.organizations)).toMatchObject({ org_id: mine.id })
    })

    it('the claims follow the switch, the role, the slug and the config; a switch makes the user\'s earlier tokens stale', async () => {
      const [owner, member] = [await newUser(engine, 'owner'), await newUser(engine, 'member')]
      const org = await orgWith(owner, member)
      const claims = () => activeOrgClaims(engine.db, member.sessionId, engine.guard.live.policy.config.organizations)
      expect(await claims()).toBeUndefined()
      const before = engine.guard.authenticator.epochs.userEpoch(member.userId)
      expect(await setActiveOrganization(engine.guard, { userId: member.userId }, member.sessionId, org.id)).toMatchObject({ id: org.id, role: 'org:member' })
      expect(engine.guard.authenticator.epochs.userEpoch(member.userId)).toBeGreaterThan(before)
      expect(engine.guard.authenticator.epochs.isStale(decodeJwt(member.issued.token) as never)).toBe(true)
      expect(await claims()).toEqual({ org_id: org.id, org_slug: org.slug, org_role: 'org:member', org_permissions: ['org:sys_memberships:read'] })
      await changeMemberRole(engine.guard, { userId: owner.userId }, org.id, member.userId, 'org:admin')
      expect((await claims())?.org_permissions).toEqual(ALL_ADMIN)
      await updateOrganization(engine.guard, { userId: owner.userId }, org.id, { slug: `moved-${slugs}` })
      expect((await claims())?.org_slug).toBe(`moved-${slugs}`)
      const config = engine.guard.live.policy.config
      await engine.guard.live.save({ ...config, organizations: { ...config.organizations, roles: { ...config.organizations.roles, 'org:admin': ['org:sys_memberships:manage', 'org:reports:read'] } } }, { expectedVersion: engine.guard.live.policy.version })
      expect((await claims())?.org_permissions).toEqual(['org:sys_memberships:manage', 'org:reports:read'])
      await engine.guard.live.save({ ...engine.guard.live.policy.config, organizations: config.organizations }, { expectedVersion: engine.guard.live.policy.version })
      await setActiveOrganization(engine.guard, { userId: member.userId }, member.sessionId, null)
      expect(await claims()).toBeUndefined()
    })

    it('a removed member\'s sessions lose the organization; their tokens are stale; every call into it is refused', async () => {
      const [owner, member] = [await newUser(engine, 'owner'), await newUser(engine, 'member')]
      const org = await orgWith(owner, member)
      await setActiveOrganization(engine.guard, { userId: member.userId }, member.sessionId, org.id)
      const token = (await engine.guard.sessions.renew(member.sessionId))!.token
      expect(engine.guard.authenticator.epochs.isStale(decodeJwt(token) as never)).toBe(false)
      await removeMember(engine.guard, { userId: owner.userId }, org.id, member.userId)
      expect(await sessionActiveOrgId(engine.db, member.sessionId)).toBeNull()
      expect(await activeOrgClaims(engine.db, member.sessionId, engine.guard.live.policy.config.organizations)).toBeUndefined()
      expect(engine.guard.authenticator.epochs.isStale(decodeJwt(token) as never)).toBe(true)
      expect(await refusal(getOrganization(engine.guard, org.id, member.userId))).toMatchObject({ code: 'not_a_member' })
      expect(await refusal(setActiveOrganization(engine.guard, { userId: member.userId }, member.sessionId, org.id))).toMatchObject({ code: 'not_a_member' })
      expect(await engine.db.query('select action from guard_audit where target = $1', [`${org.id}:${member.userId}`])).toEqual([{ action: 'organization.member_remove' }])
    })

    it('deleting an organization needs org:sys_profile:delete; its sessions and invitation links go with it', async () => {
      const [owner, member, invitee] = [await newUser(engine, 'owner'), await newUser(engine, 'member'), await newUser(engine, 'invitee')]
      const org = await orgWith(owner, member)
      await invite(owner, org.id, invitee.email)
      await setActiveOrganization(engine.guard, { userId: member.userId }, member.sessionId, org.id)
      expect(await refusal(deleteOrganization(engine.guard, { userId: member.userId }, org.id))).toMatchObject({ code: 'org_permission_required', details: { permission: 'org:sys_profile:delete' } })
      expect(await deleteOrganization(engine.guard, { userId: owner.userId }, org.id)).toEqual({ deleted: true, formerMembers: 2 })
      expect(await sessionActiveOrgId(engine.db, member.sessionId)).toBeNull()
      expect(await refusal(accept(invitee, tokenFor(invitee.email)))).toMatchObject({ code: 'invalid_invitation' })
    })
  })

  describe('the config', () => {
    it('switched off, every operation answers 403 organizations_disabled and no token carries an organization', async () => {
      const owner = await newUser(engine, 'owner')
      const org = await create(owner)
      await setActiveOrganization(engine.guard, { userId: owner.userId }, owner.sessionId, org.id)
      const config = engine.guard.live.policy.config
      await engine.guard.live.save({ ...config, organizations: { ...config.organizations, enabled: false } }, { expectedVersion: engine.guard.live.policy.version })
      try {
        expect(await refusal(create(owner))).toMatchObject({ code: 'organizations_disabled', status: 403 })
        expect(await refusal(getOrganization(engine.guard, org.id, owner.userId))).toMatchObject({ code: 'organizations_disabled' })
        expect(await refusal(setActiveOrganization(engine.guard, { userId: owner.userId }, owner.sessionId, null))).toMatchObject({ code: 'organizations_disabled' })
        expect(await activeOrgClaims(engine.db, owner.sessionId, engine.guard.live.policy.config.organizations)).toBeUndefined()
      }
      finally {
        await engine.guard.live.save(config, { expectedVersion: engine.guard.live.policy.version })
      }
    })

    it('usersCanCreate: false leaves creation to users with guard:admin', async () => {
      const member = await newUser(engine, 'member')
      const [siteAdmin] = await engine.db.query<{ id: string }>(`select id from guard_users where roles @> '["admin"]'::jsonb limit 1`)
      const config = engine.guard.live.policy.config
      await engine.guard.live.save({ ...config, organizations: { ...config.organizations, usersCanCreate: false } }, { expectedVersion: engine.guard.live.policy.version })
      try {
        expect(await refusal(create(member))).toMatchObject({ code: 'organization_creation_disabled', status: 403 })
        expect(await createOrganization(engine.guard, { userId: siteAdmin!.id }, { name: 'By the admin', slug: 'by-the-admin' })).toMatchObject({ role: 'org:admin' })
      }
      finally {
        await engine.guard.live.save(config, { expectedVersion: engine.guard.live.policy.version })
      }
    })

    it('every code has a description that says what to do', () => {
      for (const [code, spec] of Object.entries(ORGANIZATION_ERROR_CODES)) expect(spec.description.length, code).toBeGreaterThan(20)
    })
  })
})

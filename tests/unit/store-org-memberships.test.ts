import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { migrate } from '../../modules/guard/runtime/core/store/db/migrations'
import { createUser } from '../../modules/guard/runtime/core/store/users'
import { insertOrganization } from '../../modules/guard/runtime/core/store/organizations'
import {
  activeOrgMembershipOfSession, countOrgMembersWithRole, deleteOrgMembership, findOrgMembership, insertOrgMembership,
  isOrgMemberByEmail, listOrgMemberIds, listOrgMembers, listUserOrgMemberships, setOrgMemberRole,
} from '../../modules/guard/runtime/core/store/org-memberships'
import { clearSessionsActiveOrg, insertSession, revokeSession, sessionActiveOrgId, setSessionActiveOrg, usersWithActiveOrg } from '../../modules/guard/runtime/core/store/sessions'

/** guard_org_memberships (and the active organization on guard_sessions): one row per member, roles, counts, the session's active membership. */
describe('store: guard_org_memberships', () => {
  let db: GuardDatabase
  const now = new Date('2026-01-01T00:00:00Z')
  const at = (s: number) => new Date(now.getTime() + s * 1_000)
  const day = new Date(now.getTime() + 86_400_000)
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' })
    await migrate(db)
    for (const name of ['ada', 'bob', 'cat']) await createUser(db, { id: `user_${name}`, email: `${name}@Example.test`, passwordHash: 'x' })
    await insertOrganization(db, { id: 'org_a', name: 'Zeta', slug: 'zeta', createdBy: 'user_ada', now })
    await insertOrganization(db, { id: 'org_b', name: 'alpha', slug: 'alpha', createdBy: 'user_ada', now })
    for (const [id, user] of [['sess_ada', 'user_ada'], ['sess_ada2', 'user_ada'], ['sess_bob', 'user_bob']] as const) {
      await insertSession(db, { id, userId: user, refreshHash: `r-${id}`, createdAt: now, expiresAt: day })
    }
  }, 60_000)
  afterAll(async () => { await db?.close() })

  it('adds a member once; a second insert writes nothing', async () => {
    expect(await insertOrgMembership(db, { orgId: 'org_a', userId: 'user_ada', role: 'org:admin', now })).toBe(true)
    expect(await insertOrgMembership(db, { orgId: 'org_a', userId: 'user_ada', role: 'org:member', now })).toBe(false)
    expect(await findOrgMembership(db, 'org_a', 'user_ada')).toEqual({ orgId: 'org_a', userId: 'user_ada', role: 'org:admin', createdAt: now })
    expect(await findOrgMembership(db, 'org_a', 'user_bob')).toBeUndefined()
  })

  it('lists members oldest first with their email, paged with the total; a user\'s organizations by name', async () => {
    await insertOrgMembership(db, { orgId: 'org_a', userId: 'user_bob', role: 'org:member', now: at(1) })
    await insertOrgMembership(db, { orgId: 'org_a', userId: 'user_cat', role: 'org:member', now: at(2) })
    await insertOrgMembership(db, { orgId: 'org_b', userId: 'user_ada', role: 'org:member', now: at(3) })
    expect(await listOrgMembers(db, 'org_a', { limit: 2, offset: 0 })).toEqual({
      members: [
        { userId: 'user_ada', email: 'ada@Example.test', role: 'org:admin', joinedAt: now },
        { userId: 'user_bob', email: 'bob@Example.test', role: 'org:member', joinedAt: at(1) },
      ],
      total: 3,
    })
    expect(await listOrgMembers(db, 'org_a', { limit: 2, offset: 5 })).toEqual({ members: [], total: 3 })
    expect((await listUserOrgMemberships(db, 'user_ada')).map(m => [m.organization.slug, m.role])).toEqual([['alpha', 'org:member'], ['zeta', 'org:admin']])
    expect((await listOrgMemberIds(db, 'org_a')).sort()).toEqual(['user_ada', 'user_bob', 'user_cat'])
    expect(await isOrgMemberByEmail(db, 'org_a', 'BOB@example.TEST')).toBe(true)
    expect(await isOrgMemberByEmail(db, 'org_b', 'bob@example.test')).toBe(false)
  })

  it('changes a role, returning the one before; counts holders of a role', async () => {
    expect(await countOrgMembersWithRole(db, 'org_a', 'org:admin')).toBe(1)
    expect(await setOrgMemberRole(db, 'org_a', 'user_bob', 'org:admin')).toMatchObject({ before: 'org:member', after: { userId: 'user_bob', role: 'org:admin' } })
    expect(await countOrgMembersWithRole(db, 'org_a', 'org:admin')).toBe(2)
    expect(await setOrgMemberRole(db, 'org_a', 'user_nobody', 'org:admin')).toBeUndefined()
  })

  it('a session\'s active organization: set only for a member, read with the role, cleared per member', async () => {
    expect(await setSessionActiveOrg(db, 'sess_bob', 'user_bob', 'org_b', now)).toBe(false) // not a member of org_b
    expect(await setSessionActiveOrg(db, 'sess_bob', 'user_ada', 'org_a', now)).toBe(false) // not ada's session
    expect(await sessionActiveOrgId(db, 'sess_bob')).toBeNull()
    expect(await setSessionActiveOrg(db, 'sess_bob', 'user_bob', 'org_a', now)).toBe(true)
    expect(await setSessionActiveOrg(db, 'sess_ada', 'user_ada', 'org_a', now)).toBe(true)
    expect(await setSessionActiveOrg(db, 'sess_ada2', 'user_ada', 'org_b', now)).toBe(true)
    expect(await activeOrgMembershipOfSession(db, 'sess_bob')).toMatchObject({ organization: { id: 'org_a', slug: 'zeta' }, role: 'org:admin' })
    expect((await usersWithActiveOrg(db, 'org_a', now)).sort()).toEqual(['user_ada', 'user_bob'])
    expect(await clearSessionsActiveOrg(db, 'org_a', 'user_bob')).toEqual(['user_bob'])
    expect(await sessionActiveOrgId(db, 'sess_bob')).toBeNull()
    expect(await sessionActiveOrgId(db, 'sess_ada')).toBe('org_a')
    expect(await sessionActiveOrgId(db, 'sess_ada2')).toBe('org_b')
    expect(await setSessionActiveOrg(db, 'sess_ada', 'user_ada', null, now)).toBe(true)
    expect(await activeOrgMembershipOfSession(db, 'sess_ada')).toBeUndefined()
  })

  it('a revoked or expired session cannot be given an active organization, nor counts as carrying one', async () => {
    await setSessionActiveOrg(db, 'sess_ada', 'user_ada', 'org_a', now)
    await revokeSession(db, 'sess_ada', now)
    expect(await setSessionActiveOrg(db, 'sess_ada', 'user_ada', 'org_b', now)).toBe(false)
    expect(await setSessionActiveOrg(db, 'sess_ada2', 'user_ada', 'org_a', day)).toBe(false)
    expect(await usersWithActiveOrg(db, 'org_a', now)).toEqual([])
  })

  it('a removed member\'s session that still names the organization carries no membership', async () => {
    await setSessionActiveOrg(db, 'sess_bob', 'user_bob', 'org_a', now)
    expect(await deleteOrgMembership(db, 'org_a', 'user_bob')).toBe('org:admin')
    expect(await deleteOrgMembership(db, 'org_a', 'user_bob')).toBeUndefined()
    expect(await sessionActiveOrgId(db, 'sess_bob')).toBe('org_a')
    expect(await activeOrgMembershipOfSession(db, 'sess_bob')).toBeUndefined()
  })

  it('deleting a user deletes their memberships', async () => {
    await db.query('delete from guard_users where id = $1', ['user_cat'])
    expect(await findOrgMembership(db, 'org_a', 'user_cat')).toBeUndefined()
  })
})

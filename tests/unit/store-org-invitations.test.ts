import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { migrate } from '../../modules/guard/runtime/core/store/db/migrations'
import { createUser } from '../../modules/guard/runtime/core/store/users'
import { deleteOrganization, insertOrganization } from '../../modules/guard/runtime/core/store/organizations'
import {
  acceptOrgInvitation, findOrgInvitationByTokenHash, insertOrgInvitation, listOrgInvitations, orgInvitationStatus, revokeOrgInvitation,
} from '../../modules/guard/runtime/core/store/org-invitations'

/** guard_org_invitations: one live link per address and organization, spent once, revoked, expired. */
describe('store: guard_org_invitations', () => {
  let db: GuardDatabase
  const now = new Date('2026-01-01T00:00:00Z')
  const at = (s: number) => new Date(now.getTime() + s * 1_000)
  const HOUR = 3_600
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' })
    await migrate(db)
    await createUser(db, { id: 'user_ada', email: 'ada@example.test', passwordHash: 'x' })
    await createUser(db, { id: 'user_bob', email: 'bob@example.test', passwordHash: 'x' })
    await insertOrganization(db, { id: 'org_a', name: 'A', slug: 'org-a', createdBy: 'user_ada', now })
    await insertOrganization(db, { id: 'org_b', name: 'B', slug: 'org-b', createdBy: 'user_ada', now })
  }, 60_000)
  afterAll(async () => { await db?.close() })

  const invite = (id: string, email: string, { orgId = 'org_a', created = 0, ttl = 72 * HOUR } = {}) =>
    insertOrgInvitation(db, { id, orgId, email, role: 'org:member', tokenHash: `hash-${id}`, invitedBy: 'user_ada', now: at(created), expiresAt: at(created + ttl) })

  it('stores an invitation, found by its token hash only', async () => {
    const invitation = await invite('i1', 'bob@example.test')
    expect(invitation).toEqual({
      id: 'i1', orgId: 'org_a', email: 'bob@example.test', role: 'org:member', invitedBy: 'user_ada',
      createdAt: now, expiresAt: at(72 * HOUR), acceptedAt: null, acceptedUserId: null, revokedAt: null,
    })
    expect(await findOrgInvitationByTokenHash(db, 'hash-i1')).toEqual(invitation)
    expect(await findOrgInvitationByTokenHash(db, 'hash-nope')).toBeUndefined()
    expect(orgInvitationStatus(invitation, now)).toBe('pending')
    expect(orgInvitationStatus(invitation, at(72 * HOUR))).toBe('expired')
  })

  it('a new invitation to the same address (any case) and organization revokes the earlier pending one, not other organizations\'', async () => {
    await invite('j1', 'cat@example.test')
    await invite('k1', 'cat@example.test', { orgId: 'org_b' })
    await invite('j2', 'CAT@example.test', { created: 10 })
    expect(orgInvitationStatus((await findOrgInvitationByTokenHash(db, 'hash-j1'))!, at(20))).toBe('revoked')
    expect(orgInvitationStatus((await findOrgInvitationByTokenHash(db, 'hash-j2'))!, at(20))).toBe('pending')
    expect(orgInvitationStatus((await findOrgInvitationByTokenHash(db, 'hash-k1'))!, at(20))).toBe('pending')
  })

  it('is accepted once; a revoked or expired one never', async () => {
    expect(await acceptOrgInvitation(db, 'i1', 'user_bob', at(5))).toBe(true)
    expect(await acceptOrgInvitation(db, 'i1', 'user_bob', at(6))).toBe(false)
    expect(await findOrgInvitationByTokenHash(db, 'hash-i1')).toMatchObject({ acceptedAt: at(5), acceptedUserId: 'user_bob' })
    expect(await acceptOrgInvitation(db, 'j1', 'user_bob', at(20))).toBe(false)
    await invite('e1', 'eve@example.test', { ttl: 60 })
    expect(await acceptOrgInvitation(db, 'e1', 'user_bob', at(60))).toBe(false)
  })

  it('revokes a pending invitation of its own organization only', async () => {
    await invite('r1', 'rob@example.test')
    expect(await revokeOrgInvitation(db, 'org_b', 'r1', at(1))).toBeUndefined()
    expect(await revokeOrgInvitation(db, 'org_a', 'r1', at(1))).toMatchObject({ id: 'r1', revokedAt: at(1) })
    expect(await revokeOrgInvitation(db, 'org_a', 'r1', at(2))).toBeUndefined()
    expect(await revokeOrgInvitation(db, 'org_a', 'i1', at(2))).toBeUndefined() // accepted
    expect(await acceptOrgInvitation(db, 'r1', 'user_bob', at(3))).toBe(false)
  })

  it('lists an organization\'s invitations newest first; they go with the organization', async () => {
    expect((await listOrgInvitations(db, 'org_a', { limit: 3 })).map(i => i.id)).toEqual(['j2', 'e1', 'i1']) // j2 is the newest; the rest of one instant by id
    expect((await listOrgInvitations(db, 'org_b', { limit: 10 })).map(i => i.id)).toEqual(['k1'])
    await deleteOrganization(db, 'org_b')
    expect(await findOrgInvitationByTokenHash(db, 'hash-k1')).toBeUndefined()
  })

  it('a token hash is unique', async () => {
    await expect(insertOrgInvitation(db, { id: 'dup', orgId: 'org_a', email: 'x@example.test', role: 'org:member', tokenHash: 'hash-i1', invitedBy: 'user_ada', now, expiresAt: at(HOUR) })).rejects.toThrow()
  })
})

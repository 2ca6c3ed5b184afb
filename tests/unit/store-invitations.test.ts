import { describe, expect, it } from 'vitest'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import {
  findLiveInvitation, insertInvitation, listPendingInvitations, pruneInvitations, revokeInvitation, revokeInvitationsFor, spendInvitation,
} from '../../modules/guard/runtime/core/store/invitations'
import { withStoreDatabase } from '../support/store-db'

/** guard_invitations: one live invitation per address, found by keyed hash, spent once, revocable, expiring, pruned. */
describe('store: guard_invitations', () => {
  let db: GuardDatabase
  const now = new Date('2026-01-01T00:00:00Z')
  const later = (ms: number) => new Date(now.getTime() + ms)
  const DAY = 86_400_000
  withStoreDatabase([{ id: 'user_root', email: 'root@example.test' }], (opened) => { db = opened })

  const invite = (id: string, email: string, expiresAt = later(3 * DAY), roles = ['member']) =>
    insertInvitation(db, { id, email, tokenHash: `hash-${id}`, roles, invitedBy: 'user_root', now, expiresAt })

  it('stores an invitation with its roles and finds it by the token hash only while live', async () => {
    const { invitation, replaced } = await invite('i1', 'ada@example.test', later(DAY), ['member', 'billing'])
    expect(replaced).toBe(0)
    expect(invitation).toMatchObject({ id: 'i1', email: 'ada@example.test', tokenHash: 'hash-i1', roles: ['member', 'billing'], invitedBy: 'user_root', acceptedAt: null, revokedAt: null })
    expect(await findLiveInvitation(db, 'hash-i1', now)).toMatchObject({ id: 'i1' })
    expect(await findLiveInvitation(db, 'hash-nope', now)).toBeUndefined()
    expect(await findLiveInvitation(db, 'hash-i1', later(DAY))).toBeUndefined()
    expect(await spendInvitation(db, 'hash-i1', 'user_late', later(DAY))).toBeUndefined()
  })

  it('a new invitation of the same address (any case) revokes the earlier live one, and no other address\'s', async () => {
    await invite('b1', 'bob@example.test')
    await invite('c1', 'cy@example.test')
    const { replaced } = await invite('b2', 'BOB@example.test')
    expect(replaced).toBe(1)
    expect(await findLiveInvitation(db, 'hash-b1', now)).toBeUndefined()
    expect(await findLiveInvitation(db, 'hash-b2', now)).toMatchObject({ id: 'b2' })
    expect(await findLiveInvitation(db, 'hash-c1', now)).toMatchObject({ id: 'c1' })
    expect((await db.query<{ revoked_at: unknown }>('select revoked_at from guard_invitations where id = $1', ['b1']))[0]!.revoked_at).not.toBeNull()
  })

  it('spends once: of two concurrent spends exactly one gets the row, and it records the new user', async () => {
    await invite('d1', 'dee@example.test')
    const results = await Promise.all([spendInvitation(db, 'hash-d1', 'user_a', now), spendInvitation(db, 'hash-d1', 'user_b', now)])
    const won = results.filter(Boolean)
    expect(won).toHaveLength(1)
    expect(won[0]).toMatchObject({ id: 'd1', acceptedAt: now, acceptedUserId: expect.stringMatching(/^user_[ab]$/) })
    expect(await findLiveInvitation(db, 'hash-d1', now)).toBeUndefined()
    expect(await spendInvitation(db, 'hash-d1', 'user_c', now)).toBeUndefined()
  })

  it('revokes a live invitation once; a revoked or spent one cannot be revoked or spent', async () => {
    await invite('e1', 'eve@example.test')
    expect(await revokeInvitation(db, 'e1', now)).toMatchObject({ id: 'e1', revokedAt: now })
    expect(await revokeInvitation(db, 'e1', now)).toBeUndefined()
    expect(await spendInvitation(db, 'hash-e1', 'user_e', now)).toBeUndefined()
    expect(await revokeInvitation(db, 'd1', now)).toBeUndefined()
    expect(await revokeInvitation(db, 'no-such-id', now)).toBeUndefined()
  })

  it('revokes every live invitation of an address', async () => {
    await invite('f1', 'fay@example.test')
    expect(await revokeInvitationsFor(db, 'FAY@example.test', now)).toBe(1)
    expect(await revokeInvitationsFor(db, 'fay@example.test', now)).toBe(0)
    expect(await findLiveInvitation(db, 'hash-f1', now)).toBeUndefined()
  })

  it('lists only live invitations, newest first, with the inviter\'s email and never the token hash', async () => {
    const listed = await listPendingInvitations(db, now)
    expect(listed.map(invitation => invitation.id).sort()).toEqual(['b2', 'c1', 'i1'])
    expect(listed[0]).toMatchObject({ invitedBy: 'user_root', invitedByEmail: 'root@example.test' })
    expect(JSON.stringify(listed)).not.toContain('hash-')
    expect(await listPendingInvitations(db, later(4 * DAY))).toEqual([])
  })

  it('prunes invitations that ended before the cut-off, keeps live ones', async () => {
    expect(await pruneInvitations(db, later(1))).toBeGreaterThan(0)
    const left = (await db.query<{ id: string }>('select id from guard_invitations order by id')).map(row => row.id)
    expect(left).toEqual(['b2', 'c1', 'i1'])
    await pruneInvitations(db, later(4 * DAY))
    expect(await db.query('select id from guard_invitations')).toHaveLength(0)
  })
})

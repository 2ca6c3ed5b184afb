import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { migrate } from '../../modules/guard/runtime/core/store/db/migrations'
import { createUser } from '../../modules/guard/runtime/core/store/users'
import { insertInvitation } from '../../modules/guard/runtime/core/store/invitations'
import { insertOrganization } from '../../modules/guard/runtime/core/store/organizations'
import { insertOrgInvitation } from '../../modules/guard/runtime/core/store/org-invitations'
import { pruneExpiredRows } from '../../modules/guard/runtime/core/engine/prune'

/** The occasional prune reaches every table that only grows: here the two invitation tables, kept 30 days after they end. */
describe('pruneExpiredRows', () => {
  let db: GuardDatabase
  const DAY = 86_400_000
  const start = new Date('2026-03-01T00:00:00Z')
  const at = (days: number) => new Date(start.getTime() + days * DAY)
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' })
    await migrate(db)
    await createUser(db, { id: 'user_root', email: 'root@example.test', passwordHash: 'x' })
    await insertOrganization(db, { id: 'org_1', name: 'Acme', slug: 'acme', createdBy: 'user_root', now: start })
  }, 60_000)
  afterAll(async () => { await db?.close() })

  const ids = async (table: string) => (await db.query<{ id: string }>(`select id from ${table} order by id`)).map(row => row.id)

  it('deletes invitations that ended more than 30 days ago and keeps newer and live ones', async () => {
    // expired on day 3, day 40 and day 90 (live on day 35)
    await insertInvitation(db, { id: 'inv_old', email: 'old@example.test', tokenHash: 'h-old', roles: ['member'], invitedBy: 'user_root', now: start, expiresAt: at(3) })
    await insertInvitation(db, { id: 'inv_recent', email: 'recent@example.test', tokenHash: 'h-recent', roles: ['member'], invitedBy: 'user_root', now: start, expiresAt: at(20) })
    await insertInvitation(db, { id: 'inv_live', email: 'live@example.test', tokenHash: 'h-live', roles: ['member'], invitedBy: 'user_root', now: start, expiresAt: at(90) })
    await insertOrgInvitation(db, { id: 'oinv_old', orgId: 'org_1', email: 'old@example.test', role: 'org:member', tokenHash: 'oh-old', invitedBy: 'user_root', now: start, expiresAt: at(3) })
    await insertOrgInvitation(db, { id: 'oinv_live', orgId: 'org_1', email: 'live@example.test', role: 'org:member', tokenHash: 'oh-live', invitedBy: 'user_root', now: start, expiresAt: at(90) })

    expect(await pruneExpiredRows(db, at(40))).toBeGreaterThanOrEqual(2)
    expect(await ids('guard_invitations')).toEqual(['inv_live', 'inv_recent'])
    expect(await ids('guard_org_invitations')).toEqual(['oinv_live'])
  })
})

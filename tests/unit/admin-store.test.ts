/**
 * Storage behind the console: the user list and search, role changes (never
 * the last admin away), live sessions, config history with its authors, and
 * the paged audit log. Every case runs once per backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { LastAdminError, listUsers, setUserRoles } from '../../modules/guard/runtime/core/store/users'
import { listActiveSessionIds } from '../../modules/guard/runtime/core/store/sessions'
import { listConfigHistory } from '../../modules/guard/runtime/core/store/config-versions'
import { listAudit, writeAudit } from '../../modules/guard/runtime/core/store/audit'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, rejectionOf, startEngine, stopEngine } from '../support/engine'

describe.each(testBackends())('admin storage on $name', (backend) => {
  const clock = fakeClock()
  let db: GuardDatabase
  let guard: Guard
  const now = () => new Date(clock.now())
  const signUp = (email: string) => guard.sessions.signUp({ email, password: PASSWORD })

  beforeAll(async () => {
    ({ db, guard } = await startEngine(backend, clock.now))
  }, 60_000)
  afterAll(() => stopEngine(backend, { guard, db }), 30_000)

  it('lists users oldest first, searches emails by substring (case-insensitive, % and _ literal) and counts the matches', async () => {
    const admin = await signUp('root@acme.test')
    await signUp('Ada@Acme.test')
    await signUp('bob@other.test')
    await signUp('under_score@acme.test')
    const all = await listUsers(db, { limit: 2, offset: 0, now: now() })
    expect(all.total).toBe(4)
    expect(all.users.map(user => user.email)).toEqual(['root@acme.test', 'Ada@Acme.test'])
    expect(all.users[0]).toMatchObject({ id: admin.user.id, roles: ['admin'], activeSessions: 1, createdAt: expect.any(Date) })
    expect((await listUsers(db, { limit: 2, offset: 2, now: now() })).users.map(user => user.email)).toEqual(['bob@other.test', 'under_score@acme.test'])
    const acme = await listUsers(db, { q: 'ACME', limit: 10, offset: 0, now: now() })
    expect([acme.total, acme.users.length]).toEqual([3, 3])
    expect((await listUsers(db, { q: '_', limit: 10, offset: 0, now: now() })).users.map(user => user.email)).toEqual(['under_score@acme.test'])
    expect((await listUsers(db, { q: '%', limit: 10, offset: 0, now: now() })).total).toBe(0)
  })

  it('counts only live sessions and lists their ids', async () => {
    const first = await signUp('sessions@acme.test')
    const second = await guard.sessions.signIn({ email: 'sessions@acme.test', password: PASSWORD })
    const count = async () => (await listUsers(db, { q: 'sessions@', limit: 1, offset: 0, now: now() })).users[0]!.activeSessions
    expect(await count()).toBe(2)
    expect(await listActiveSessionIds(db, first.user.id, now())).toEqual([first.sessionId, second.sessionId])
    await guard.revokeSession(first.sessionId)
    expect(await count()).toBe(1)
    expect(await listActiveSessionIds(db, first.user.id, now())).toEqual([second.sessionId])
    clock.advance(8 * 86_400_000) // past the 7-day session lifetime
    expect(await count()).toBe(0)
  })

  it('sets roles, answers undefined for an unknown user and never removes the last admin', async () => {
    const [root] = (await listUsers(db, { q: 'root@', limit: 1, offset: 0, now: now() })).users
    expect(await setUserRoles(db, 'user_missing', ['admin'])).toBeUndefined()
    expect(await rejectionOf(setUserRoles(db, root!.id, ['member']))).toBeInstanceOf(LastAdminError)
    const ada = (await listUsers(db, { q: 'ada@', limit: 1, offset: 0, now: now() })).users[0]!
    expect((await setUserRoles(db, ada.id, ['admin', 'billing']))!.roles).toEqual(['admin', 'billing'])
    expect((await setUserRoles(db, root!.id, ['member']))!.roles).toEqual(['member'])
    expect(await rejectionOf(setUserRoles(db, ada.id, []))).toBeInstanceOf(LastAdminError)
  })

  it('lists config history newest first with the author\'s email, paged by version', async () => {
    const ada = (await listUsers(db, { q: 'ada@', limit: 1, offset: 0, now: now() })).users[0]!
    const live = guard.live.policy
    await guard.live.save(live.config, { expectedVersion: live.version, actorId: ada.id, note: 'by ada' })
    const history = await listConfigHistory(db, { limit: 10 })
    expect(history[0]).toMatchObject({ version: live.version + 1, createdBy: ada.id, createdByEmail: 'Ada@Acme.test', note: 'by ada' })
    expect(history.at(-1)).toMatchObject({ version: 1, createdBy: null, createdByEmail: null, note: 'seeded from nuxt.config.ts' })
    expect((await listConfigHistory(db, { limit: 10, before: live.version + 1 })).map(entry => entry.version)).toEqual([live.version])
  })

  it('pages the audit log newest first with the actor\'s email, before and after', async () => {
    const ada = (await listUsers(db, { q: 'ada@', limit: 1, offset: 0, now: now() })).users[0]!
    for (let i = 1; i <= 3; i++) await writeAudit(db, { actorId: ada.id, action: 'test.step', target: `t${i}`, before: { i: i - 1 }, after: { i }, ip: '203.0.113.9' })
    const page = await listAudit(db, { limit: 2 })
    expect(page.entries.map(entry => entry.target)).toEqual(['t3', 't2'])
    expect(page.entries[0]).toMatchObject({ actorId: ada.id, actorEmail: 'Ada@Acme.test', action: 'test.step', before: { i: 2 }, after: { i: 3 }, ip: '203.0.113.9', at: expect.any(Date), id: expect.any(Number) })
    expect(page.nextBefore).toBe(page.entries[1]!.id)
    const next = await listAudit(db, { limit: 2, before: page.nextBefore! })
    expect(next.entries[0]!.target).toBe('t1')
  })
})

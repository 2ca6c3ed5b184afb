import { describe, expect, it } from 'vitest'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { attemptPasswordReset, deletePasswordResets, insertPasswordResetFor, prunePasswordResets, spendPasswordReset } from '../../modules/guard/runtime/core/store/password-resets'
import { withStoreDatabase } from '../support/store-db'

/** guard_password_resets: one live code per user, counted tries, spent once, pruned. */
describe('store: guard_password_resets', () => {
  let db: GuardDatabase
  const now = new Date('2026-01-01T00:00:00Z')
  const later = (ms: number) => new Date(now.getTime() + ms)
  withStoreDatabase([{ id: 'user_ada', email: 'ada@example.test' }, { id: 'user_bob', email: 'bob@example.test' }], (opened) => { db = opened })

  const insert = (id: string, email: string, expiresAt = later(1_800_000)) => insertPasswordResetFor(db, { id, email, codeHash: `hash-${id}`, now, expiresAt })

  it('inserts for a known address (any case) and nothing for an unknown one', async () => {
    expect(await insert('r1', 'ADA@example.test')).toEqual({ userId: 'user_ada', email: 'ada@example.test', disabled: false })
    expect(await insert('r2', 'nobody@example.test')).toBeUndefined()
    expect(await db.query('select id from guard_password_resets where id = $1', ['r2'])).toHaveLength(0)
  })

  it('stores no code for a disabled account (and voids its earlier one), says it is disabled; one whose end passed is enabled', async () => {
    await insert('c1', 'bob@example.test')
    await db.query(`update guard_users set disabled_at = $2 where id = $1`, ['user_bob', now.toISOString()])
    expect(await insert('c2', 'bob@example.test')).toEqual({ userId: 'user_bob', email: 'bob@example.test', disabled: true })
    expect(await db.query('select id from guard_password_resets where user_id = $1', ['user_bob'])).toHaveLength(0)
    await db.query(`update guard_users set disabled_until = $2 where id = $1`, ['user_bob', now.toISOString()])
    expect(await insert('c3', 'bob@example.test')).toEqual({ userId: 'user_bob', email: 'bob@example.test', disabled: false })
    await db.query(`update guard_users set disabled_at = null, disabled_until = null where id = $1`, ['user_bob'])
    await deletePasswordResets(db, 'user_bob')
  })

  it('a new code voids the earlier unused one of the same user only', async () => {
    await insert('a1', 'ada@example.test')
    await insert('b1', 'bob@example.test')
    await insert('a2', 'ada@example.test')
    const ids = (await db.query<{ id: string }>('select id from guard_password_resets order by id')).map(row => row.id)
    expect(ids).toEqual(['a2', 'b1'])
  })

  it('counts tries up to the limit, then there is no live code', async () => {
    await insert('a3', 'ada@example.test')
    for (let i = 1; i <= 3; i++) expect(await attemptPasswordReset(db, 'user_ada', 3, now)).toMatchObject({ id: 'a3', attempts: i, codeHash: 'hash-a3' })
    expect(await attemptPasswordReset(db, 'user_ada', 3, now)).toBeUndefined()
  })

  it('an expired code is not live', async () => {
    await insert('a4', 'ada@example.test', later(1_000))
    expect(await attemptPasswordReset(db, 'user_ada', 5, later(1_000))).toBeUndefined()
  })

  it('spends once; a spent code is not live', async () => {
    await insert('a5', 'ada@example.test')
    expect(await spendPasswordReset(db, 'a5', now)).toBe(true)
    expect(await spendPasswordReset(db, 'a5', now)).toBe(false)
    expect(await attemptPasswordReset(db, 'user_ada', 5, now)).toBeUndefined()
  })

  it('prunes spent and expired codes, keeps live ones; deletes a user\'s codes', async () => {
    await insert('b2', 'bob@example.test')
    expect(await prunePasswordResets(db, later(10_000))).toBeGreaterThan(0)
    expect((await db.query<{ id: string }>('select id from guard_password_resets')).map(row => row.id)).toEqual(['b2'])
    await deletePasswordResets(db, 'user_bob')
    expect(await db.query('select id from guard_password_resets')).toHaveLength(0)
  })
})

import { describe, expect, it } from 'vitest'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { createUser, findUserById } from '../../modules/guard/runtime/core/store/users'
import {
  applyEmailVerification, attemptEmailVerification, deleteEmailVerifications, findLiveEmailVerification,
  insertEmailVerification, pruneEmailVerifications, spendEmailVerification, type EmailVerificationPurpose,
} from '../../modules/guard/runtime/core/store/email-verifications'
import { withStoreDatabase } from '../support/store-db'

/** guard_email_verifications: one live code per user and purpose, counted tries, spent once, applied to guard_users atomically, pruned. */
describe('store: guard_email_verifications', () => {
  let db: GuardDatabase
  const now = new Date('2026-01-01T00:00:00Z')
  const later = (ms: number) => new Date(now.getTime() + ms)
  withStoreDatabase([{ id: 'user_ada', email: 'ada@example.test' }, { id: 'user_bob', email: 'bob@example.test' }], (opened) => { db = opened })

  const insert = (id: string, userId: string, purpose: EmailVerificationPurpose = 'verify', email = 'ada@example.test', expiresAt = later(1_800_000)) =>
    insertEmailVerification(db, { id, userId, email, purpose, codeHash: `hash-${id}`, now, expiresAt })
  const ids = async () => (await db.query<{ id: string }>('select id from guard_email_verifications order by id')).map(row => row.id)

  it('stores the keyed hash and the address it went to; a new code voids the earlier unused one of the same user and purpose only', async () => {
    expect(await insert('a1', 'user_ada')).toMatchObject({ id: 'a1', userId: 'user_ada', email: 'ada@example.test', purpose: 'verify', codeHash: 'hash-a1', attempts: 0 })
    await insert('a2', 'user_ada', 'change', 'ada@new.test')
    await insert('b1', 'user_bob', 'verify', 'bob@example.test')
    await insert('a3', 'user_ada')
    expect(await ids()).toEqual(['a2', 'a3', 'b1'])
    expect(await findLiveEmailVerification(db, 'user_ada', 'change', now)).toMatchObject({ id: 'a2', email: 'ada@new.test' })
  })

  it('counts tries up to the limit, per purpose; then there is no live code', async () => {
    for (let i = 1; i <= 3; i++) expect(await attemptEmailVerification(db, 'user_ada', 'verify', 3, now)).toMatchObject({ id: 'a3', attempts: i })
    expect(await attemptEmailVerification(db, 'user_ada', 'verify', 3, now)).toBeUndefined()
    // The change code is untouched by tries at the verify code.
    expect(await attemptEmailVerification(db, 'user_ada', 'change', 3, now)).toMatchObject({ id: 'a2', attempts: 1 })
  })

  it('an expired code is not live, neither for tries nor for display', async () => {
    await insert('a4', 'user_ada', 'verify', 'ada@example.test', later(1_000))
    expect(await attemptEmailVerification(db, 'user_ada', 'verify', 5, later(1_000))).toBeUndefined()
    expect(await findLiveEmailVerification(db, 'user_ada', 'verify', later(1_000))).toBeUndefined()
  })

  it('spends once; a spent code is not live', async () => {
    await insert('a5', 'user_ada')
    expect(await spendEmailVerification(db, 'a5', now)).toBe(true)
    expect(await spendEmailVerification(db, 'a5', now)).toBe(false)
    expect(await attemptEmailVerification(db, 'user_ada', 'verify', 5, now)).toBeUndefined()
  })

  it('applying a verify code verifies the address it was sent to, bumps the claims epoch, and works once', async () => {
    const live = await insert('a6', 'user_ada')
    const before = (await findUserById(db, 'user_ada'))!
    const after = await applyEmailVerification(db, live, now)
    expect(after).toMatchObject({ id: 'user_ada', email: 'ada@example.test', emailVerified: true, claimsEpoch: before.claimsEpoch! + 1 })
    expect(await applyEmailVerification(db, live, now)).toBeUndefined()
  })

  it('a verify code for an address the account no longer has changes nothing', async () => {
    const stale = await insert('b2', 'user_bob', 'verify', 'bob-old@example.test')
    expect(await applyEmailVerification(db, stale, now)).toBeUndefined()
    expect((await findUserById(db, 'user_bob'))!.emailVerified).toBe(false)
  })

  it('applying a change code moves the account to the new address, verified, and voids its other unused codes', async () => {
    await insert('b3', 'user_bob', 'verify', 'bob@example.test')
    const change = await insert('b4', 'user_bob', 'change', 'Bob@Elsewhere.test')
    expect(await applyEmailVerification(db, change, now)).toMatchObject({ id: 'user_bob', email: 'Bob@Elsewhere.test', emailVerified: true })
    expect(await findLiveEmailVerification(db, 'user_bob', 'verify', now)).toBeUndefined()
  })

  it('a change to an address another account holds (any case) is refused with 409 email_taken and changes nothing, the code unspent', async () => {
    const change = await insert('b5', 'user_bob', 'change', 'ADA@example.test')
    await expect(applyEmailVerification(db, change, now)).rejects.toMatchObject({ code: 'email_taken', status: 409 })
    expect((await findUserById(db, 'user_bob'))!.email).toBe('Bob@Elsewhere.test')
    expect(await findLiveEmailVerification(db, 'user_bob', 'change', now)).toMatchObject({ id: 'b5' })
  })

  it('prunes spent and expired codes, keeps live ones; deletes a user\'s codes by purpose or all', async () => {
    await insert('a7', 'user_ada', 'change', 'ada@third.test')
    expect(await pruneEmailVerifications(db, later(10_000))).toBeGreaterThan(0)
    expect(await ids()).toEqual(['a7', 'b5'])
    expect(await deleteEmailVerifications(db, 'user_bob', 'verify')).toBe(0)
    expect(await deleteEmailVerifications(db, 'user_bob', 'change')).toBe(1)
    expect(await deleteEmailVerifications(db, 'user_ada')).toBe(1)
    expect(await ids()).toEqual([])
  })
})

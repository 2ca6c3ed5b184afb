import { describe, expect, it } from 'vitest'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { createUser, findUserById, insertUserWithRoles, LastAdminError, listUsers, setUserRoles } from '../../modules/guard/runtime/core/store/users'
import { disableUserRow, enableUserRow } from '../../modules/guard/runtime/core/store/user-status'
import { clearUserRateLimits, hitRateLimit } from '../../modules/guard/runtime/core/store/rate-limits'
import { countFailures, forgetAccountFailures, recordAttempt } from '../../modules/guard/runtime/core/store/sign-in-failures'
import { insertSession } from '../../modules/guard/runtime/core/store/sessions'
import { isUserDisabled } from '../../modules/guard/runtime/core/people/status'
import { withStoreDatabase } from '../support/store-db'

/** guard_users' status columns (disable, enable, last admin), users created with roles, and what an unlock deletes. */
describe('store: user status and unlock', () => {
  let db: GuardDatabase
  const now = new Date()
  const later = (ms: number) => new Date(now.getTime() + ms)
  withStoreDatabase([{ id: 'user_root', email: 'root@example.test' }], (opened) => { db = opened })

  const create = (id: string, roles: string[], emailVerified = false) =>
    db.transaction(tx => insertUserWithRoles(tx, { id, email: `${id}@example.test`, passwordHash: 'x', roles, emailVerified }))

  it('creates a user with the given roles and verification, refusing a taken address in any case', async () => {
    expect(await create('user_ops', ['admin', 'member'], true)).toMatchObject({ id: 'user_ops', roles: ['admin', 'member'], emailVerified: true, disabledAt: null })
    await expect(db.transaction(tx => insertUserWithRoles(tx, { id: 'user_dup', email: 'ROOT@example.test', passwordHash: 'x', roles: [], emailVerified: false })))
      .rejects.toMatchObject({ code: 'email_taken', status: 409 })
    expect(await findUserById(db, 'user_dup')).toBeUndefined()
  })

  it('disables with a reason and an end, says before and after; enable clears all three', async () => {
    await create('user_ann', ['member'])
    const until = later(86_400_000)
    const change = await disableUserRow(db, 'user_ann', { reason: 'Left the team', until, now })
    expect(change!.before).toMatchObject({ disabledAt: null, disabledReason: null, disabledUntil: null })
    expect(change!.after).toMatchObject({ disabledAt: now, disabledReason: 'Left the team', disabledUntil: until })
    expect(isUserDisabled(change!.after, now)).toBe(true)
    expect(isUserDisabled(change!.after, later(86_400_001))).toBe(false)
    const [listed] = (await listUsers(db, { q: 'user_ann', limit: 1, offset: 0, now })).users
    expect(listed).toMatchObject({ disabledAt: now, disabledReason: 'Left the team', disabledUntil: until })
    const enabled = await enableUserRow(db, 'user_ann')
    expect(enabled!.after).toMatchObject({ disabledAt: null, disabledReason: null, disabledUntil: null })
    expect(await disableUserRow(db, 'user_nobody', { reason: 'x', until: null, now })).toBeUndefined()
    expect(await enableUserRow(db, 'user_nobody')).toBeUndefined()
  })

  it('never disables the last admin who can sign in, and a disabled admin does not count for role changes either', async () => {
    // Two admins: root and ops. Disabling ops leaves root, the last one who can sign in.
    await disableUserRow(db, 'user_ops', { reason: 'Holiday', until: null, now })
    await expect(disableUserRow(db, 'user_root', { reason: 'x', until: null, now })).rejects.toBeInstanceOf(LastAdminError)
    await expect(setUserRoles(db, 'user_root', ['member'])).rejects.toMatchObject({ code: 'last_admin' })
    expect((await findUserById(db, 'user_root'))!.disabledAt).toBeNull()
    // A disablement whose end has passed counts as enabled again.
    await enableUserRow(db, 'user_ops')
    await disableUserRow(db, 'user_ops', { reason: 'Short break', until: later(1_000), now })
    expect(await disableUserRow(db, 'user_root', { reason: 'Audit', until: null, now: later(2_000) })).toBeTruthy()
    await enableUserRow(db, 'user_root')
    await enableUserRow(db, 'user_ops')
  })

  it('unlock: deletes the account\'s sign-in failures only', async () => {
    const mine = { account: 'acct-ann', client: '10.0.0.1' }
    const other = { account: 'acct-bob', client: '10.0.0.1' }
    for (let i = 0; i < 3; i++) { await recordAttempt(db, mine, now); await recordAttempt(db, { ...mine, client: '10.0.0.2' }, now) }
    await recordAttempt(db, other, now)
    expect(await forgetAccountFailures(db, 'acct-ann')).toBe(6)
    const windows = { accountSeconds: 3_600, clientSeconds: 900 }
    expect(await countFailures(db, mine, later(1), windows)).toMatchObject({ account: 0, pair: 0, client: 1 })
    expect((await countFailures(db, other, later(1), windows)).account).toBe(1)
  })

  it('unlock: deletes the user\'s rate-limit rows (blocked ones too), their sessions\' challenges and the extra keys, nobody else\'s', async () => {
    const rule = { limit: 1, windowSeconds: 900, blockSeconds: 900 }
    await insertSession(db, { id: 'sess_ann', userId: 'user_ann', refreshHash: 'r-ann', createdAt: now, expiresAt: later(86_400_000) })
    for (const key of ['factor-client:user_ann:10.0.0.1', 'email-send:user_ann', 'reset-factor:user_ann', 'challenge:sess_ann', 'reset-request:address:ann-hash', 'factor-client:user_ann_2:10.0.0.1', 'email-send:user_root']) {
      await hitRateLimit(db, key, rule, now)
      await hitRateLimit(db, key, rule, now) // over the limit: blocked
    }
    const cleared = await clearUserRateLimits(db, 'user_ann', ['reset-request:address:ann-hash'])
    expect(cleared).toEqual(['challenge:sess_ann', 'email-send:user_ann', 'factor-client:user_ann:10.0.0.1', 'reset-factor:user_ann', 'reset-request:address:ann-hash'])
    const left = (await db.query<{ key: string }>('select key from guard_rate_limits order by key')).map(row => row.key)
    expect(left).toEqual(['email-send:user_root', 'factor-client:user_ann_2:10.0.0.1'])
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrolledFactorTypes, enrolledFactorTypesOf } from '../../modules/guard/runtime/core/store/factors'
import { enrollTotp, newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

// The console's user list reads a whole page's factors in one query; it must say
// exactly what the one-user query says for each of them.
describe('enrolledFactorTypesOf: a page of users at once', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine() })
  afterAll(async () => { await engine?.close() })

  it('agrees with enrolledFactorTypes for users with and without factors, and omits nobody it should not', async () => {
    const plain = await newUser(engine, 'plain')
    const withTotp = await newUser(engine, 'totp')
    await enrollTotp(engine, withTotp)
    const ids = [plain.userId, withTotp.userId, 'user_that_does_not_exist']
    const batch = await enrolledFactorTypesOf(engine.db, ids)
    for (const id of ids) expect(batch.get(id) ?? []).toEqual(await enrolledFactorTypes(engine.db, id))
    expect(batch.get(withTotp.userId)).toEqual(['totp', 'recovery_code'])
    expect(batch.has(plain.userId)).toBe(false)
  })

  it('an empty page asks the database nothing', async () => {
    expect((await enrolledFactorTypesOf(engine.db, [])).size).toBe(0)
  })
})

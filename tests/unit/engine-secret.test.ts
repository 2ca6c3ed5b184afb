import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuard } from '../../modules/guard/runtime/core/engine/create-guard'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { startTotpEnrollment } from '../../modules/guard/runtime/core/mfa/totp/service'

/** A regenerated NUXT_GUARD_SECRET is refused at start-up with what to do, never a healthy server whose TOTP answers 500. */
describe('the server secret and the database', () => {
  let db: GuardDatabase
  const secret = randomBytes(32).toString('base64url')
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' })
    const guard = await createGuard({ database: db, secret, seed: {} })
    const issued = await guard.sessions.signUp({ email: 'ada@secret.test', password: 'correct horse battery staple' })
    await startTotpEnrollment(guard.mfa, { userId: issued.user.id, sessionId: issued.sessionId, account: 'ada@secret.test', issuer: 'Test' })
    await guard.close()
  }, 60_000)
  afterAll(async () => { await db?.close() })

  it('starts again with the same secret', async () => {
    const again = await createGuard({ database: db, secret, seed: {} })
    await again.close()
  })

  it('refuses another secret, saying to start with the original one', async () => {
    await expect(createGuard({ database: db, secret: randomBytes(32).toString('base64url'), seed: {} }))
      .rejects.toThrow(/NUXT_GUARD_SECRET is not the secret this database was set up with.*original secret/)
  })

  it('refuses it even once every signing key is gone, by the sealed authenticator secrets', async () => {
    await db.query('delete from guard_signing_keys')
    await expect(createGuard({ database: db, secret: randomBytes(32).toString('base64url'), seed: {} })).rejects.toThrow(/authenticator-app secrets/)
  })
})

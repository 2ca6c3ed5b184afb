/**
 * Two engine instances on one store: a config saved and a session revoked on
 * instance A reach instance B through LISTEN/NOTIFY. Runs once per backend
 * (tests/support/backends.ts); on PGlite both share the one open database.
 */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import type { IssuedSession } from '../../modules/guard/runtime/core/engine/sessions'
import type { DatabaseOptions, GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, SECRET, closeWithin, eventually, newEmail, startEngine, stopEngine } from '../support/engine'

describe.each(testBackends())('engine on $name', (backend) => {
  const clock = fakeClock()
  let storeOptions: DatabaseOptions
  let db: GuardDatabase
  let guard: Guard

  beforeAll(async () => { ({ storeOptions, db, guard } = await startEngine(backend, clock.now)) }, 60_000)
  afterAll(() => stopEngine(backend, { guard, db }), 30_000)

  describe('two instances on one store (LISTEN/NOTIFY)', () => {
    let other: Guard

    beforeAll(async () => {
      other = await createGuard({ database: backend.sameStore(storeOptions, db), secret: SECRET, seed: {}, now: clock.now })
    }, 60_000)
    afterAll(async () => { await closeWithin(() => other?.close()) })

    it('a config saved on instance A is live on instance B shortly after', async () => {
      const version = guard.live.policy.version
      expect(other.live.policy.version).toBe(version)
      const document = { ...guard.live.policy.config, claims: { template: { origin: 'saved-on-a' } } }
      await guard.live.save(document, { expectedVersion: version })
      expect(await eventually(() => other.live.policy.version === version + 1)).toBe(true)
      expect(other.live.policy.config.claims.template).toEqual({ origin: 'saved-on-a' })

      // B mints with it at once
      const session = await other.sessions.signUp({ email: newEmail('on-b'), password: PASSWORD })
      expect(decodeJwt(session.token).origin).toBe('saved-on-a')
    })

    it('a session revoked on A is refused by B’s cache', async () => {
      const session: IssuedSession = await guard.sessions.signUp({ email: newEmail('revoke-ab'), password: PASSWORD })
      expect((await other.authenticator.authenticate({ token: session.token })).status).toBe('signed-in')
      expect(other.authenticator.fromCache(session.token)?.sessionId).toBe(session.sessionId)

      expect(await guard.revokeSession(session.sessionId)).toBe(true)
      expect(await eventually(() => other.authenticator.fromCache(session.token) === undefined)).toBe(true)
      expect(await other.authenticator.authenticate({ token: session.token })).toMatchObject({ status: 'signed-out', clearCookies: true })
    })
  })
})

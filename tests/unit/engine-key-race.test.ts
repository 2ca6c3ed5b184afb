/**
 * Instances that start together on one fresh store must end with one signing
 * key: each verifies the others' tokens at once (a second key would be
 * unknown to them until their rate-limited re-read). Runs once per backend.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, SECRET, SEED, closeWithin, kidOf, newEmail } from '../support/engine'

const INSTANCES = 4

describe.each(testBackends())('signing keys on $name', (backend) => {
  const clock = fakeClock()
  const guards: Guard[] = []
  let shared: GuardDatabase | undefined

  afterAll(async () => {
    for (const guard of guards.splice(0)) await closeWithin(() => guard.close())
    if (shared) await closeWithin(() => shared!.close())
    await backend.cleanup()
  }, 30_000)

  it(`${INSTANCES} instances started at once on a fresh store share one signing key and accept each other's tokens`, async () => {
    const options = await backend.freshStore()
    // PGlite: one open database shared by every instance; PostgreSQL: a pool each.
    shared = backend.name === 'pglite' ? await openDatabase(options) : undefined
    const database = shared ?? options
    guards.push(...await Promise.all(Array.from({ length: INSTANCES }, () =>
      createGuard({ database, secret: SECRET, seed: SEED, now: clock.now }))))

    const [first] = guards
    const rows = await first!.db.query<{ kid: string }>('select kid from guard_signing_keys')
    expect(rows).toHaveLength(1)

    const tokens = await Promise.all(guards.map((guard, i) => guard.sessions.signUp({ email: newEmail(`key-race-${i}`), password: PASSWORD })))
    expect(new Set(tokens.map(({ token }) => kidOf(token)))).toEqual(new Set([rows[0]!.kid]))
    for (const verifier of guards) {
      for (const { token, sessionId } of tokens) {
        const result = await verifier.authenticator.authenticate({ token, tokenSource: 'bearer' })
        expect(result.status).toBe('signed-in')
        expect(result.status === 'signed-in' && result.auth.sessionId).toBe(sessionId)
      }
    }
  }, 60_000)
})

/**
 * The one-use and rate-limit guarantees hold under real concurrency: on
 * PostgreSQL (a pool of connections, when GUARD_TEST_DATABASE_URL is set)
 * as on PGlite, racing requests are decided by single conditional statements.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { confirmTotpEnrollment, startTotpEnrollment } from '../../modules/guard/runtime/core/mfa/totp/service'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { hitRateLimit } from '../../modules/guard/runtime/core/store/rate-limits'
import { testBackends } from '../support/backends'
import { newEmail, PASSWORD, startEngine, stopEngine, type Engine } from '../support/engine'
import { fakeClock } from '../support/fake-clock'

// Sign-ins hash passwords with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 60_000 })

describe.each(testBackends().map(backend => [backend.name, backend] as const))('%s', (_name, backend) => {
  const clock = fakeClock()
  let engine: Engine
  beforeAll(async () => { engine = await startEngine(backend, clock.now) }, 60_000)
  afterAll(() => stopEngine(backend, engine ?? {}))

  async function enrolledUser() {
    const email = newEmail('atomic')
    const first = await engine.guard.sessions.signUp({ email, password: PASSWORD })
    const user = { userId: first.user.id, sessionId: first.sessionId }
    const { secret } = await startTotpEnrollment(engine.guard.mfa, { ...user, account: email, issuer: 'Test' })
    const { recoveryCodes } = await confirmTotpEnrollment(engine.guard.mfa, { ...user, code: totpCodeAt(secret, clock.now()) })
    clock.advance(60_000)
    const sessions = await Promise.all(Array.from({ length: 6 }, async () => {
      const issued = await engine.guard.sessions.signIn({ email, password: PASSWORD })
      return { userId: issued.user.id, sessionId: issued.sessionId }
    }))
    return { secret, recoveryCodes: recoveryCodes!, sessions }
  }

  it('six sessions racing with the same TOTP code: exactly one wins', async () => {
    const { secret, sessions } = await enrolledUser()
    const code = totpCodeAt(secret, clock.now())
    const results = await Promise.allSettled(sessions.map(session => completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code })))
    expect(results.filter(result => result.status === 'fulfilled')).toHaveLength(1)
  })

  it('six sessions racing with the same recovery code: exactly one wins', async () => {
    const { recoveryCodes, sessions } = await enrolledUser()
    const results = await Promise.allSettled(sessions.map(session => completeChallenge(engine.guard.mfa, { ...session, factor: 'recovery_code', code: recoveryCodes[0]! })))
    expect(results.filter(result => result.status === 'fulfilled')).toHaveLength(1)
  })

  it('30 racing hits on a limit of 5: exactly 5 allowed', async () => {
    const rule = { limit: 5, windowSeconds: 60, blockSeconds: 60 }
    const key = `race:${backend.name}:${clock.now()}`
    const hits = await Promise.all(Array.from({ length: 30 }, () => hitRateLimit(engine.db, key, rule, new Date(clock.now()))))
    expect(hits.filter(hit => hit.allowed)).toHaveLength(5)
    expect(hits.map(hit => hit.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
  })
})

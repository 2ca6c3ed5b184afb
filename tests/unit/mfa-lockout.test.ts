import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import type { MfaError } from '../../modules/guard/runtime/core/mfa/errors'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { hitRateLimit } from '../../modules/guard/runtime/core/store/rate-limits'
import { pruneExpiredRows } from '../../modules/guard/runtime/core/engine/prune'
import { findLiveSession } from '../../modules/guard/runtime/core/store/sessions'
import { enrollTotp, newUser, signInAgain, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

// Sign-ins hash passwords with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

let engine: MfaEngine
beforeAll(async () => { engine = await startMfaEngine({ mfa: { enforce: 'all' } }) }, 60_000)
afterAll(() => engine?.close())

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as MfaError)
const guess = (session: { userId: string; sessionId: string }, code = '000000') =>
  refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code }))

describe('5 attempts per challenge', () => {
  it('counts down attemptsRemaining, then answers 429 and ends the session, even for the right code', async () => {
    const user = await newUser(engine)
    const { secret } = await enrollTotp(engine, user)
    const session = await signInAgain(engine, user.email)
    const remaining = []
    for (let i = 0; i < 5; i++) remaining.push((await guess(session))?.details.attemptsRemaining)
    expect(remaining).toEqual([4, 3, 2, 1, 0])
    const locked = await guess(session, totpCodeAt(secret, engine.clock.now()))
    expect(locked).toMatchObject({ status: 429, code: 'too_many_attempts', details: { retryAfterSeconds: 900, sessionEnded: true } })
    // The session that spent its challenge is over: sign in again.
    expect(await findLiveSession(engine.db, session.sessionId, new Date(engine.clock.now()))).toBeUndefined()
  })

  it('concurrent guesses cannot slip past the limit', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    const session = await signInAgain(engine, user.email)
    const results = await Promise.all(Array.from({ length: 12 }, () => guess(session)))
    expect(results.filter(error => error?.code === 'invalid_code')).toHaveLength(5)
    expect(results.filter(error => error?.code === 'too_many_attempts')).toHaveLength(7)
  })

  it('a success starts the challenge over', async () => {
    const user = await newUser(engine)
    const { secret } = await enrollTotp(engine, user)
    const session = await signInAgain(engine, user.email)
    for (let i = 0; i < 4; i++) await guess(session)
    await completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()) })
    expect((await guess(session))?.details.attemptsRemaining).toBe(4)
  })
})

describe('per (account, client): 10 second-factor attempts an hour, never a lock on the factor', () => {
  const fromClient = async (email: string, ip: string) => {
    const issued = await engine.guard.sessions.signIn({ email, password: 'password-123' }, { ip })
    return { userId: issued.user.id, sessionId: issued.sessionId }
  }

  it('new sessions from the same client do not reset the count; that client waits an hour; the owner\'s other client never does', async () => {
    const user = await newUser(engine)
    const { secret } = await enrollTotp(engine, user)
    for (let round = 0; round < 2; round++) {
      const session = await fromClient(user.email, '203.0.113.66')
      for (let i = 0; i < 5; i++) expect((await guess(session))?.code).toBe('invalid_code')
    }
    const fresh = await fromClient(user.email, '203.0.113.66')
    expect(await guess(fresh, totpCodeAt(secret, engine.clock.now()))).toMatchObject({ status: 429, details: { retryAfterSeconds: 3_600 } })
    const audit = await engine.db.query<{ after: unknown }>(`select after from guard_audit where action = 'mfa.client_throttled' and actor_id = $1`, [user.userId])
    expect(audit.map(row => row.after)).toEqual([{ factor: 'totp', client: '203.0.113.66', minutes: 60 }])
    const owner = await fromClient(user.email, '198.51.100.7')
    await expect(completeChallenge(engine.guard.mfa, { ...owner, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()) })).resolves.toBeDefined()
    engine.clock.advance(59 * 60_000)
    const later = await fromClient(user.email, '203.0.113.66')
    expect(await guess(later, totpCodeAt(secret, engine.clock.now()))).toMatchObject({ status: 429, details: { retryAfterSeconds: 60 } })
    engine.clock.advance(61_000)
    const issued = await completeChallenge(engine.guard.mfa, { ...later, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()) })
    expect(issued.claims.mfa?.v).toBe(true)
  })

  it('the count is per account: another user on the same client is untouched', async () => {
    const victim = await newUser(engine)
    await enrollTotp(engine, victim)
    const other = await newUser(engine)
    const { secret } = await enrollTotp(engine, other)
    for (let round = 0; round < 2; round++) {
      const session = await fromClient(victim.email, '203.0.113.77')
      for (let i = 0; i < 5; i++) await guess(session)
    }
    const session = await fromClient(other.email, '203.0.113.77')
    await expect(completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()) })).resolves.toBeDefined()
  })
})

describe('hitRateLimit (one atomic statement)', () => {
  it('allows `limit` hits per window, blocks for blockSeconds, and starts over afterwards', async () => {
    const rule = { limit: 3, windowSeconds: 60, blockSeconds: 120 }
    const at = (offsetMs: number) => new Date(engine.clock.now() + offsetMs)
    const hits = []
    for (let i = 0; i < 4; i++) hits.push(await hitRateLimit(engine.db, 'test:a', rule, at(0)))
    expect(hits.map(hit => hit.allowed)).toEqual([true, true, true, false])
    expect(hits[3]!.retryAfterSeconds).toBe(120)
    expect((await hitRateLimit(engine.db, 'test:a', rule, at(119_000))).allowed).toBe(false)
    expect(await hitRateLimit(engine.db, 'test:a', rule, at(120_000))).toMatchObject({ allowed: true, count: 1 })
  })

  it('a window that ran out without a block starts a new count', async () => {
    const rule = { limit: 2, windowSeconds: 60, blockSeconds: 120 }
    await hitRateLimit(engine.db, 'test:b', rule, new Date(engine.clock.now()))
    await hitRateLimit(engine.db, 'test:b', rule, new Date(engine.clock.now()))
    expect(await hitRateLimit(engine.db, 'test:b', rule, new Date(engine.clock.now() + 60_000))).toMatchObject({ allowed: true, count: 1 })
  })

  it('pruning keeps live counters and blocks, and drops the ones that ran out', async () => {
    const rule = { limit: 1, windowSeconds: 60, blockSeconds: 600 }
    const now = engine.clock.now()
    await hitRateLimit(engine.db, 'prune:blocked', rule, new Date(now))
    await hitRateLimit(engine.db, 'prune:blocked', rule, new Date(now)) // blocked for 10 minutes
    await hitRateLimit(engine.db, 'prune:counting', rule, new Date(now))
    await pruneExpiredRows(engine.db, new Date(now + 120_000))
    const keys = async () => (await engine.db.query<{ key: string }>(`select key from guard_rate_limits where key like 'prune:%' order by key`)).map(row => row.key)
    expect(await keys()).toEqual(['prune:blocked'])
    await pruneExpiredRows(engine.db, new Date(now + 600_000))
    expect(await keys()).toEqual([])
  })
})

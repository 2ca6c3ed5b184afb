import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { EncryptJWT } from 'jose'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import type { MfaError } from '../../modules/guard/runtime/core/mfa/errors'
import { deriveKey } from '../../modules/guard/runtime/core/crypto/secret'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { deleteAllFactors } from '../../modules/guard/runtime/core/store/factors'
import { enrollTotp, newUser, signInAgain, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

// Sign-ins hash passwords with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

let engine: MfaEngine
beforeAll(async () => {
  engine = await startMfaEngine({ mfa: { enforce: 'off', mfaTokenTtlSeconds: 120 }, claims: { template: { isMfa: '{{user.two_factor_enabled}}' } } })
}, 60_000)
afterAll(() => engine?.close())

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as MfaError)

describe('mfa_token (step-up)', () => {
  it('opens for its own session within its TTL', async () => {
    const user = await newUser(engine)
    const token = await engine.guard.mfa.mintStepUpToken(user.sessionId)
    expect(token.split('.')).toHaveLength(5) // a compact JWE
    await expect(engine.guard.mfa.verifyStepUpToken(token, user.sessionId)).resolves.toMatchObject({ sid: user.sessionId })
  })

  it('expired → mfa_token_expired (TTL from the live config)', async () => {
    const user = await newUser(engine)
    const token = await engine.guard.mfa.mintStepUpToken(user.sessionId)
    engine.clock.advance(121_000)
    expect(await refusal(engine.guard.mfa.verifyStepUpToken(token, user.sessionId))).toMatchObject({ status: 401, code: 'mfa_token_expired' })
  })

  it('tampered (one flipped character anywhere) → mfa_token_invalid', async () => {
    const user = await newUser(engine)
    const token = await engine.guard.mfa.mintStepUpToken(user.sessionId)
    for (const index of [10, token.indexOf('.', 80) + 5, token.length - 3]) {
      const flipped = token.slice(0, index) + (token[index] === 'A' ? 'B' : 'A') + token.slice(index + 1)
      expect(await refusal(engine.guard.mfa.verifyStepUpToken(flipped, user.sessionId))).toMatchObject({ status: 401, code: 'mfa_token_invalid' })
    }
  })

  it('another session\'s token → mfa_token_invalid; so is one made with another key', async () => {
    const alice = await newUser(engine)
    const mallory = await newUser(engine)
    const stolen = await engine.guard.mfa.mintStepUpToken(alice.sessionId)
    expect(await refusal(engine.guard.mfa.verifyStepUpToken(stolen, mallory.sessionId))).toMatchObject({ code: 'mfa_token_invalid' })
    const forged = await new EncryptJWT({ sid: mallory.sessionId, typ: 'mfa' }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setJti('x').setIssuedAt().setExpirationTime('5m').encrypt(deriveKey('another-server-secret-of-32-bytes!!', 'mfa-token'))
    expect(await refusal(engine.guard.mfa.verifyStepUpToken(forged, mallory.sessionId))).toMatchObject({ code: 'mfa_token_invalid' })
  })

  it('a challenge with a bad mfa_token is refused before the code is even looked at', async () => {
    const user = await newUser(engine)
    const { secret } = await enrollTotp(engine, user)
    const session = await signInAgain(engine, user.email)
    const other = await engine.guard.mfa.mintStepUpToken(user.sessionId)
    const error = await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()), mfaToken: other }))
    expect(error).toMatchObject({ code: 'mfa_token_invalid' })
  })

  it('the env override (mfaTokenTtlSeconds option) beats the config', async () => {
    const short = await startMfaEngine({}, { mfaTokenTtlSeconds: 30 })
    try {
      const user = await newUser(short)
      const token = await short.guard.mfa.mintStepUpToken(user.sessionId)
      short.clock.advance(31_000)
      expect(await refusal(short.guard.mfa.verifyStepUpToken(token, user.sessionId))).toMatchObject({ code: 'mfa_token_expired' })
    }
    finally { await short.close() }
  }, 60_000)
})

describe('the session token\'s mfa claim and fva', () => {
  it('before any factor: c {}, v false, e [], fva [age, -1], isMfa false', async () => {
    const user = await newUser(engine)
    expect(user.issued.claims).toMatchObject({ mfa: { c: {}, v: false, e: [] }, fva: [0, -1], isMfa: false })
  })

  it('after completing TOTP: c holds the time, v true, e the enrolled factors, fva [first, second] in minutes', async () => {
    const user = await newUser(engine)
    const { secret } = await enrollTotp(engine, user)
    engine.clock.advance(5 * 60_000)
    const session = await signInAgain(engine, user.email)
    expect(session.issued.claims).toMatchObject({ mfa: { c: {}, v: false, e: ['totp', 'recovery_code'] }, fva: [0, -1], isMfa: true })
    engine.clock.advance(3 * 60_000)
    const completedAt = engine.clock.now() / 1000
    const issued = await completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()) })
    expect(issued.claims).toMatchObject({ mfa: { c: { totp: completedAt }, v: true, e: ['totp', 'recovery_code'] }, fva: [3, 0] })
    engine.clock.advance(7 * 60_000)
    const refreshed = await engine.guard.sessions.reissue(session.sessionId)
    expect(refreshed!.claims).toMatchObject({ mfa: { c: { totp: completedAt }, v: true }, fva: [10, 7] })
  })

  it('a session minted before MFA existed gets the claim on its next refresh', async () => {
    const user = await newUser(engine)
    const other = await signInAgain(engine, user.email)
    await enrollTotp(engine, user)
    const refreshed = await engine.guard.sessions.refresh(other.issued.refreshToken)
    expect(refreshed!.claims).toMatchObject({ mfa: { c: {}, v: false, e: ['totp', 'recovery_code'] }, isMfa: true })
  })

  it('resetting a user\'s MFA empties e and turns two_factor_enabled off', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    expect(await deleteAllFactors(engine.db, user.userId)).toBe(1)
    const refreshed = await engine.guard.sessions.reissue(user.sessionId)
    expect(refreshed!.claims).toMatchObject({ mfa: { e: [] }, isMfa: false })
    expect(await engine.db.query('select 1 from guard_recovery_codes where user_id = $1', [user.userId])).toEqual([])
  })
})

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { decodeJwt } from 'jose'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { MfaError } from '../../modules/guard/runtime/core/mfa/errors'
import { confirmTotpEnrollment, startTotpEnrollment } from '../../modules/guard/runtime/core/mfa/totp/service'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { enrollTotp, newUser, signInAgain, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

// Sign-ins hash passwords with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

let engine: MfaEngine
beforeAll(async () => { engine = await startMfaEngine({ mfa: { enforce: 'all' } }) }, 60_000)
afterAll(() => engine?.close())

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as MfaError)
const totp = (engine: MfaEngine, user: { userId: string; sessionId: string }, code: string) =>
  completeChallenge(engine.guard.mfa, { ...user, factor: 'totp', code })

describe('TOTP enrollment', () => {
  it('gives a 20-byte secret, an otpauth URI with issuer and account, and a QR code SVG; the secret is sealed at rest', async () => {
    const user = await newUser(engine)
    const enrollment = await startTotpEnrollment(engine.guard.mfa, { ...user, account: user.email, issuer: 'Acme' })
    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/) // 32 base32 characters = 20 bytes
    const uri = new URL(enrollment.uri)
    expect(uri.protocol).toBe('otpauth:')
    expect(uri.searchParams.get('issuer')).toBe('Acme')
    expect(decodeURIComponent(uri.pathname)).toContain(user.email)
    expect(enrollment.qrSvg).toMatch(/^<svg/)
    const [row] = await engine.db.query<{ secret_sealed: string }>('select secret_sealed from guard_factors where user_id = $1', [user.userId])
    expect(row!.secret_sealed).not.toContain(enrollment.secret)
  })

  it('stays pending until a valid code confirms it: a wrong code enrolls nothing', async () => {
    const user = await newUser(engine)
    await startTotpEnrollment(engine.guard.mfa, { ...user, account: user.email, issuer: 'Acme' })
    const error = await refusal(confirmTotpEnrollment(engine.guard.mfa, { ...user, code: '000000' }))
    expect(error).toMatchObject({ status: 401, code: 'invalid_code' })
    const issued = await engine.guard.sessions.reissue(user.sessionId)
    expect(issued!.claims.mfa).toEqual({ c: {}, v: false, e: [] })
    expect(issued!.claims.fva).toEqual([0, -1])
  })

  it('a valid code confirms it, completes it in this session and issues 10 recovery codes', async () => {
    const user = await newUser(engine)
    const { issued, recoveryCodes } = await enrollTotp(engine, user)
    expect(recoveryCodes).toHaveLength(10)
    expect(issued.claims.mfa).toMatchObject({ c: { totp: expect.any(Number) }, v: true, e: ['totp', 'recovery_code'] })
  })

  it('an attacker who knows only the password cannot add a second authenticator to an enrolled account', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    const attacker = await signInAgain(engine, user.email)
    const error = await refusal(startTotpEnrollment(engine.guard.mfa, { ...attacker, account: user.email, issuer: 'Acme' }))
    expect(error).toMatchObject({ status: 409, code: 'already_enrolled' })
  })
})

describe('TOTP challenge: time window and replay', () => {
  let user: Awaited<ReturnType<typeof newUser>>
  let secret: string
  beforeAll(async () => {
    user = await newUser(engine)
    ;({ secret } = await enrollTotp(engine, user))
  })

  it('accepts the codes of one step either side of now, refuses two steps away', async () => {
    for (const offset of [-2, 2]) {
      const session = await signInAgain(engine, user.email)
      expect(await refusal(totp(engine, session, totpCodeAt(secret, engine.clock.now() + offset * 30_000)))).toMatchObject({ code: 'invalid_code' })
    }
    for (const offset of [-1, 0, 1]) {
      engine.clock.advance(120_000) // fresh steps each round (a step is accepted once)
      const session = await signInAgain(engine, user.email)
      const issued = await totp(engine, session, totpCodeAt(secret, engine.clock.now() + offset * 30_000))
      expect(issued.claims.mfa?.c.totp).toBe(engine.clock.now() / 1000)
    }
  })

  it('a code is accepted once: replaying it in another session fails', async () => {
    engine.clock.advance(120_000)
    const code = totpCodeAt(secret, engine.clock.now())
    const first = await signInAgain(engine, user.email)
    const second = await signInAgain(engine, user.email)
    await totp(engine, first, code)
    expect(await refusal(totp(engine, second, code))).toMatchObject({ status: 401, code: 'invalid_code' })
  })

  it('an older code is refused once a newer step was used', async () => {
    engine.clock.advance(120_000)
    const older = totpCodeAt(secret, engine.clock.now() - 30_000)
    await totp(engine, await signInAgain(engine, user.email), totpCodeAt(secret, engine.clock.now()))
    expect(await refusal(totp(engine, await signInAgain(engine, user.email), older))).toMatchObject({ code: 'invalid_code' })
  })

  it('two concurrent submissions of the same code: exactly one succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      engine.clock.advance(120_000)
      const code = totpCodeAt(secret, engine.clock.now())
      const sessions = await Promise.all([signInAgain(engine, user.email), signInAgain(engine, user.email)])
      const results = await Promise.allSettled(sessions.map(session => totp(engine, session, code)))
      expect(results.filter(result => result.status === 'fulfilled')).toHaveLength(1)
      expect(results.find(result => result.status === 'rejected')).toMatchObject({ reason: { code: 'invalid_code' } })
    }
  })
})

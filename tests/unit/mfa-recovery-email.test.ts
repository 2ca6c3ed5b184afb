import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { confirmEmailEnrollment, sendEmailCode } from '../../modules/guard/runtime/core/mfa/email-code/service'
import type { MfaError } from '../../modules/guard/runtime/core/mfa/errors'
import { enrollTotp, newUser, signInAgain, startMfaEngine, verifyAddress, type MfaEngine } from '../support/mfa-engine'

// Sign-ins hash passwords with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

let engine: MfaEngine
beforeAll(async () => {
  engine = await startMfaEngine({ mfa: { enforce: 'all', strategies: { email_code: true }, requirements: [{ oneOf: ['totp', 'email_code', 'recovery_code'] }] } })
}, 60_000)
afterAll(() => engine?.close())

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as MfaError)
const recover = (session: { userId: string; sessionId: string }, code: string) =>
  completeChallenge(engine.guard.mfa, { ...session, factor: 'recovery_code', code })
const lastCode = () => /(\d{6})/.exec(engine.mail.at(-1)!.text)![1]!

describe('recovery codes', () => {
  it('10 codes of at least 80 bits, stored only as salted hashes', async () => {
    const user = await newUser(engine)
    const { recoveryCodes } = await enrollTotp(engine, user)
    expect(recoveryCodes).toHaveLength(10)
    for (const code of recoveryCodes!) expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/) // 16 × 5 bits
    expect(new Set(recoveryCodes).size).toBe(10)
    const rows = await engine.db.query<{ code_hash: string }>('select code_hash from guard_recovery_codes where user_id = $1', [user.userId])
    expect(rows).toHaveLength(10)
    const stored = rows.map(row => row.code_hash).join('\n')
    for (const code of recoveryCodes!) expect(stored).not.toContain(code.replace(/-/g, ''))
    expect(new Set(rows.map(row => row.code_hash.split('$')[1])).size).toBe(10) // one salt each
  })

  it('a code works once, typed in any case with or without dashes', async () => {
    const user = await newUser(engine)
    const { recoveryCodes } = await enrollTotp(engine, user)
    const code = recoveryCodes![3]!
    const issued = await recover(await signInAgain(engine, user.email), code.toLowerCase().replace(/-/g, ' '))
    expect(issued.claims.mfa).toMatchObject({ c: { recovery_code: expect.any(Number) }, v: true })
    expect(await refusal(recover(await signInAgain(engine, user.email), code))).toMatchObject({ status: 401, code: 'invalid_code' })
  })

  it('regenerating voids the whole old set', async () => {
    const user = await newUser(engine)
    const { recoveryCodes: old } = await enrollTotp(engine, user)
    const fresh = await engine.guard.mfa.regenerateRecoveryCodes(user.userId)
    expect(fresh.some(code => old!.includes(code))).toBe(false)
    expect(await refusal(recover(await signInAgain(engine, user.email), old![0]!))).toMatchObject({ code: 'invalid_code' })
    await expect(recover(await signInAgain(engine, user.email), fresh[0]!)).resolves.toBeDefined()
  })

  it('another user\'s code is worthless', async () => {
    const alice = await newUser(engine)
    const { recoveryCodes } = await enrollTotp(engine, alice)
    const mallory = await newUser(engine)
    await enrollTotp(engine, mallory)
    expect(await refusal(recover(await signInAgain(engine, mallory.email), recoveryCodes![0]!))).toMatchObject({ code: 'invalid_code' })
  })
})

describe('email one-time codes', () => {
  async function enrolledByEmail() {
    const user = await newUser(engine)
    await verifyAddress(engine, user)
    await sendEmailCode(engine.guard.mfa, { ...user, purpose: 'enroll' })
    const { issued } = await confirmEmailEnrollment(engine.guard.mfa, { ...user, code: lastCode() })
    expect(issued.claims.mfa).toMatchObject({ c: { email_code: expect.any(Number) }, e: ['email_code', 'recovery_code'] })
    return user
  }

  it('sends a 6-digit code to the address, answers with it masked, and stores only a hash', async () => {
    const user = await newUser(engine, 'zoe')
    await verifyAddress(engine, user)
    const sent = await sendEmailCode(engine.guard.mfa, { ...user, purpose: 'enroll' })
    expect(sent).toEqual({ sentTo: expect.stringMatching(/^z\*\*\*@example\.test$/), expiresInSeconds: 600 })
    expect(engine.mail.at(-1)!.to).toBe(user.email)
    const code = lastCode()
    const [row] = await engine.db.query<{ code_hash: string }>('select code_hash from guard_email_codes where user_id = $1', [user.userId])
    expect(row!.code_hash).not.toContain(code)
  })

  it('a challenge code works once', async () => {
    const user = await enrolledByEmail()
    const session = await signInAgain(engine, user.email)
    await sendEmailCode(engine.guard.mfa, { ...session, purpose: 'challenge' })
    const code = lastCode()
    await completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code })
    const other = await signInAgain(engine, user.email)
    expect(await refusal(completeChallenge(engine.guard.mfa, { ...other, factor: 'email_code', code }))).toMatchObject({ status: 401, code: 'invalid_code' })
  })

  it('expires after 10 minutes', async () => {
    const user = await enrolledByEmail()
    const session = await signInAgain(engine, user.email)
    await sendEmailCode(engine.guard.mfa, { ...session, purpose: 'challenge' })
    engine.clock.advance(600_000)
    expect(await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code: lastCode() }))).toMatchObject({ code: 'invalid_code' })
  })

  it('survives 5 wrong guesses and no more: the right code then fails too', async () => {
    const user = await enrolledByEmail()
    await sendEmailCode(engine.guard.mfa, { ...user, purpose: 'challenge' })
    const code = lastCode()
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) {
      const session = await signInAgain(engine, user.email) // fresh challenges: only the code's own limit applies
      expect((await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code: wrong })))?.code).toBe('invalid_code')
    }
    const session = await signInAgain(engine, user.email)
    expect(await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code }))).toMatchObject({ code: 'invalid_code', details: { attemptsRemaining: 0 } })
  })

  it('a new code replaces the previous one', async () => {
    const user = await enrolledByEmail()
    await sendEmailCode(engine.guard.mfa, { ...user, purpose: 'challenge' })
    const first = lastCode()
    await sendEmailCode(engine.guard.mfa, { ...user, purpose: 'challenge' })
    if (first !== lastCode()) {
      expect(await refusal(completeChallenge(engine.guard.mfa, { ...user, factor: 'email_code', code: first }))).toMatchObject({ code: 'invalid_code' })
    }
  })

  it('a password-only attacker cannot enroll their own email factor on an account that has one', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    const attacker = await signInAgain(engine, user.email)
    expect(await refusal(sendEmailCode(engine.guard.mfa, { ...attacker, purpose: 'enroll' }))).toMatchObject({ status: 403, code: 'mfa_required' })
  })
})

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { recognizeDevice, rememberDevice } from '../../modules/guard/runtime/core/mfa/devices'
import { confirmEmailEnrollment, sendEmailCode } from '../../modules/guard/runtime/core/mfa/email-code/service'
import type { MfaError } from '../../modules/guard/runtime/core/mfa/errors'
import { startTotpEnrollment } from '../../modules/guard/runtime/core/mfa/totp/service'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { deleteFactor, listFactors } from '../../modules/guard/runtime/core/store/factors'
import { revokeRememberedDevices } from '../../modules/guard/runtime/core/store/remembered-devices'
import { enrollTotp, newUser, signInAgain, startMfaEngine, verifyAddress, type MfaEngine } from '../support/mfa-engine'

// Sign-ins hash passwords with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

let engine: MfaEngine
beforeAll(async () => { engine = await startMfaEngine({ mfa: { enforce: 'all', strategies: { email_code: true }, rememberDeviceDays: 30 } }) }, 60_000)
afterAll(() => engine?.close())

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as MfaError)

/** Saves the live config with one change to `mfa`, as the console would. */
async function saveMfa(change: Record<string, unknown>) {
  const { config, version } = engine.guard.live.policy
  await engine.guard.live.save({ ...config, mfa: { ...config.mfa, ...change } }, { expectedVersion: version })
}

describe('strategy switches apply to the very next call', () => {
  it('TOTP switched off: no enrollment, no challenge; switched on again: both work', async () => {
    const user = await newUser(engine)
    const { secret } = await enrollTotp(engine, user)
    // Email codes too: with another factor on, the user is not stranded (see mfa-reenroll.test.ts) and TOTP is simply refused.
    await verifyAddress(engine, user)
    await sendEmailCode(engine.guard.mfa, { ...user, purpose: 'enroll' })
    await confirmEmailEnrollment(engine.guard.mfa, { ...user, code: /(\d{6})/.exec(engine.mail.at(-1)!.text)![1]! })
    const session = await signInAgain(engine, user.email)
    await saveMfa({ strategies: { totp: false, recovery_code: true, email_code: true, webauthn: true } })
    const other = await newUser(engine)
    expect(await refusal(startTotpEnrollment(engine.guard.mfa, { ...other, account: other.email, issuer: 'x' }))).toMatchObject({ status: 403, code: 'strategy_disabled' })
    const code = totpCodeAt(secret, engine.clock.now())
    expect(await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code }))).toMatchObject({ status: 403, code: 'strategy_disabled' })
    await saveMfa({ strategies: { totp: true, recovery_code: true, email_code: true, webauthn: true } })
    await expect(completeChallenge(engine.guard.mfa, { ...session, factor: 'totp', code })).resolves.toBeDefined()
  })

  it('email codes switched off: nothing is sent', async () => {
    const user = await newUser(engine)
    await saveMfa({ strategies: { totp: true, recovery_code: true, email_code: false, webauthn: true } })
    const before = engine.mail.length
    expect(await refusal(sendEmailCode(engine.guard.mfa, { ...user, purpose: 'enroll' }))).toMatchObject({ code: 'strategy_disabled' })
    expect(engine.mail.length).toBe(before)
    await saveMfa({ strategies: { totp: true, recovery_code: true, email_code: true, webauthn: true } })
  })

  it('recovery codes switched off: no new set, and the old codes stop working', async () => {
    const user = await newUser(engine)
    const { recoveryCodes } = await enrollTotp(engine, user)
    await saveMfa({ strategies: { totp: true, recovery_code: false, email_code: true, webauthn: true } })
    expect(await refusal(engine.guard.mfa.regenerateRecoveryCodes(user.userId))).toMatchObject({ code: 'strategy_disabled' })
    const session = await signInAgain(engine, user.email)
    expect(await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'recovery_code', code: recoveryCodes![0]! }))).toMatchObject({ code: 'strategy_disabled' })
    await saveMfa({ strategies: { totp: true, recovery_code: true, email_code: true, webauthn: true } })
  })
})

describe('remembered devices', () => {
  it('recognised for their own user only, with the time they were remembered', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    const remembered = await rememberDevice(engine.guard.mfa, { userId: user.userId, factor: 'totp' })
    const since = engine.clock.now() / 1000
    engine.clock.advance(3_600_000)
    expect(await recognizeDevice(engine.guard.mfa, user.userId, remembered!.cookie)).toEqual({ factor: 'totp', sinceSeconds: since })
    const other = await newUser(engine)
    await enrollTotp(engine, other)
    expect(await recognizeDevice(engine.guard.mfa, other.userId, remembered!.cookie)).toBeUndefined()
    expect(await recognizeDevice(engine.guard.mfa, user.userId, `${remembered!.cookie.split('.')[0]}.AAAA`)).toBeUndefined()
  })

  it('expire after rememberDeviceDays', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    const remembered = await rememberDevice(engine.guard.mfa, { userId: user.userId, factor: 'totp' })
    engine.clock.advance(30 * 86_400_000 + 1_000)
    expect(await recognizeDevice(engine.guard.mfa, user.userId, remembered!.cookie)).toBeUndefined()
  })

  it('are revocable, and voided when the user\'s factors change', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    const revoked = await rememberDevice(engine.guard.mfa, { userId: user.userId, factor: 'totp' })
    expect(await revokeRememberedDevices(engine.db, user.userId, undefined, new Date(engine.clock.now()))).toBe(1)
    expect(await recognizeDevice(engine.guard.mfa, user.userId, revoked!.cookie)).toBeUndefined()
    const voided = await rememberDevice(engine.guard.mfa, { userId: user.userId, factor: 'totp' })
    const [factor] = await listFactors(engine.db, user.userId)
    await deleteFactor(engine.db, user.userId, factor!.id)
    expect(await recognizeDevice(engine.guard.mfa, user.userId, voided!.cookie)).toBeUndefined()
  })

  it('rememberDeviceDays 0 switches remembering off', async () => {
    const user = await newUser(engine)
    await enrollTotp(engine, user)
    const remembered = await rememberDevice(engine.guard.mfa, { userId: user.userId, factor: 'totp' })
    await saveMfa({ rememberDeviceDays: 0 })
    expect(await rememberDevice(engine.guard.mfa, { userId: user.userId, factor: 'totp' })).toBeUndefined()
    expect(await recognizeDevice(engine.guard.mfa, user.userId, remembered!.cookie)).toBeUndefined()
    await saveMfa({ rememberDeviceDays: 30 })
  })
})

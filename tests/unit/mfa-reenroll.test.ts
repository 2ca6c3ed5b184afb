/**
 * A strategy switched off under a user whose only factor it was: the user
 * proves it is them with that factor (or a recovery code), which opens the
 * setup of an allowed factor and nothing else, then sets one up and passes.
 * Judged from the attacker's side too: the switched-off factor never opens
 * a guarded route, an account endpoint, or enrollment for a token minted
 * before the proof; users with another factor that is on are unaffected.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { confirmEmailEnrollment, sendEmailCode } from '../../modules/guard/runtime/core/mfa/email-code/service'
import type { MfaError } from '../../modules/guard/runtime/core/mfa/errors'
import { REENROLL_PROOF_TTL_SECONDS, requireEnrollmentRight } from '../../modules/guard/runtime/core/mfa/reenroll'
import { startTotpEnrollment } from '../../modules/guard/runtime/core/mfa/totp/service'
import type { SessionClaims } from '../../modules/guard/runtime/core/policy/auth'
import { enrollTotp, newUser, signInAgain, startMfaEngine, verifyAddress, type MfaEngine } from '../support/mfa-engine'
import { judge } from '../support/policy'

vi.setConfig({ testTimeout: 30_000 })

const STRATEGIES = { totp: true, recovery_code: true, email_code: true, webauthn: true }
let engine: MfaEngine
beforeAll(async () => {
  engine = await startMfaEngine({ mfa: { enforce: 'all', strategies: STRATEGIES, requirements: [{ oneOf: ['totp', 'webauthn', 'email_code'] }] } })
}, 60_000)
afterAll(() => engine?.close())

type Session = { userId: string; sessionId: string; email: string }
const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as MfaError)
const lastCode = () => /(\d{6})/.exec(engine.mail.at(-1)!.text)![1]!
const verdictFor = (claims: SessionClaims) => judge(engine.guard.live.policy, '/dashboard', claims)

async function saveStrategies(change: Partial<typeof STRATEGIES>) {
  const { config, version } = engine.guard.live.policy
  await engine.guard.live.save({ ...config, mfa: { ...config.mfa, strategies: { ...STRATEGIES, ...change } } }, { expectedVersion: version })
}

/** Email codes set up through the real enrollment; returns the recovery codes of a first factor. */
async function enrollEmail(user: Session) {
  await verifyAddress(engine, user)
  await sendEmailCode(engine.guard.mfa, { ...user, purpose: 'enroll' })
  return (await confirmEmailEnrollment(engine.guard.mfa, { ...user, code: lastCode() })).recoveryCodes
}

/** Proves it is them with an emailed challenge code. */
async function proveWithEmail(session: Session) {
  await sendEmailCode(engine.guard.mfa, { ...session, purpose: 'challenge' })
  return completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code: lastCode() })
}

let only: Session
let both: Session

beforeAll(async () => {
  const a = await newUser(engine, 'only-email')
  only = a
  await enrollEmail(a)
  both = await newUser(engine, 'email-and-app')
  await enrollEmail(both)
  await enrollTotp(engine, both)
  await saveStrategies({ email_code: false })
})

describe('the user whose only factor was switched off', () => {
  it('is stranded on the next request and cannot set up a factor before proving it is them', async () => {
    const session = await signInAgain(engine, only.email)
    expect(verdictFor(session.issued.claims)).toMatchObject({ allow: false, status: 403, error: 'mfa_reenrollment_required' })
    expect(await refusal(startTotpEnrollment(engine.guard.mfa, { ...session, account: only.email, issuer: 'x' }))).toMatchObject({ status: 403, code: 'mfa_required' })
  })

  it('proves it with the switched-off email code: that opens enrollment only, never the app or the account', async () => {
    const session = await signInAgain(engine, only.email)
    engine.clock.advance(2_000)
    const proved = await proveWithEmail(session)
    expect(proved.claims.mfa).toMatchObject({ c: {}, v: false })
    // The attacker's side: the disabled factor, completed, gives no access to a guarded route …
    expect(verdictFor(proved.claims)).toMatchObject({ allow: false, error: 'mfa_reenrollment_required' })
    // … nor to the account endpoints (sessions, devices, removing factors) …
    expect(await refusal(engine.guard.mfa.requireCompletedFactor(session.sessionId, only.userId, proved.claims.mfa?.c))).toMatchObject({ code: 'mfa_required' })
    // … nor to enrollment with a token minted before the proof (a copy taken with the password only).
    const before = { factors: session.issued.claims.mfa?.c, issuedAt: session.issued.claims.iat }
    expect(await refusal(requireEnrollmentRight(engine.guard.mfa, session.sessionId, only.userId, before))).toMatchObject({ code: 'mfa_required' })
    await expect(requireEnrollmentRight(engine.guard.mfa, session.sessionId, only.userId, { factors: proved.claims.mfa?.c, issuedAt: proved.claims.iat })).resolves.toBeUndefined()

    // Then an allowed factor: set up, completed, and the app opens; email still does not count.
    const { issued, recoveryCodes } = await enrollTotp(engine, session)
    expect(recoveryCodes).toBeUndefined() // the unused set is kept
    expect(issued.claims.mfa).toMatchObject({ c: { totp: expect.any(Number) }, e: ['totp', 'email_code', 'recovery_code'] })
    expect(verdictFor(issued.claims)).toMatchObject({ allow: true })
    const later = await signInAgain(engine, only.email)
    expect(await refusal(proveWithEmail(later))).toMatchObject({ status: 403, code: 'strategy_disabled' })
  })

  it('a wrong code proves nothing and counts as an attempt; a proof lasts 15 minutes', async () => {
    const user = await newUser(engine, 'late')
    await saveStrategies({})
    await enrollEmail(user)
    await saveStrategies({ email_code: false })
    const session = await signInAgain(engine, user.email)
    await sendEmailCode(engine.guard.mfa, { ...session, purpose: 'challenge' })
    const wrong = lastCode() === '000000' ? '111111' : '000000'
    expect(await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code: wrong }))).toMatchObject({ status: 401, code: 'invalid_code', details: { attemptsRemaining: 4 } })
    expect(await refusal(requireEnrollmentRight(engine.guard.mfa, session.sessionId, user.userId))).toMatchObject({ code: 'mfa_required' })
    await completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code: lastCode() })
    await expect(requireEnrollmentRight(engine.guard.mfa, session.sessionId, user.userId)).resolves.toBeUndefined()
    engine.clock.advance((REENROLL_PROOF_TTL_SECONDS + 1) * 1000)
    expect(await refusal(requireEnrollmentRight(engine.guard.mfa, session.sessionId, user.userId))).toMatchObject({ code: 'mfa_required' })
  })

  it('a recovery code proves it too, even with recovery codes switched off (for enrollment only)', async () => {
    const user = await newUser(engine, 'recovery')
    await saveStrategies({})
    const codes = (await enrollEmail(user))!
    await saveStrategies({ email_code: false, recovery_code: false })
    const session = await signInAgain(engine, user.email)
    const proved = await completeChallenge(engine.guard.mfa, { ...session, factor: 'recovery_code', code: codes[0]! })
    expect(proved.claims.mfa?.c).toEqual({})
    expect(verdictFor(proved.claims)).toMatchObject({ allow: false, error: 'mfa_reenrollment_required' })
    await expect(requireEnrollmentRight(engine.guard.mfa, session.sessionId, session.userId)).resolves.toBeUndefined()
    await saveStrategies({ email_code: false })
  })
})

describe('a user with another factor that is on', () => {
  it('is unaffected: asked for the app code as before, and the switched-off email code is refused', async () => {
    const session = await signInAgain(engine, both.email)
    expect(verdictFor(session.issued.claims)).toMatchObject({ allow: false, error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'] })
    expect(await refusal(sendEmailCode(engine.guard.mfa, { ...session, purpose: 'challenge' }))).toMatchObject({ status: 403, code: 'strategy_disabled' })
    expect(await refusal(completeChallenge(engine.guard.mfa, { ...session, factor: 'email_code', code: '123456' }))).toMatchObject({ status: 403, code: 'strategy_disabled' })
  })
})

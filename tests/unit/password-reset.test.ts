import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestPasswordReset } from '../../modules/guard/runtime/core/password-reset/request'
import { confirmPasswordReset } from '../../modules/guard/runtime/core/password-reset/confirm'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { disableUser, enableUser } from '../../modules/guard/runtime/core/people/disable'
import { hashOneTimeCode } from '../../modules/guard/runtime/core/crypto/one-time-code'
import { RESET_CODE_PURPOSE } from '../../modules/guard/runtime/core/password-reset/code'
import { enrollTotp, newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

/** The reset engine from the attacker's side: codes, second factors, enumeration, limits, sessions. */
describe('password reset (engine)', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine() }, 60_000)
  afterAll(async () => { await engine?.close() })

  let ip = 0
  /** Each test its own client address, so the per-client limits of one never refuse another. */
  const client = () => `10.0.0.${++ip}`
  const codeFrom = (to: string) => /code is ([A-Z0-9-]+)\./.exec(engine.mail.filter(m => m.to === to).at(-1)!.text)![1]!
  const request = async (email: string, at = client()) => { const { answer, delivery } = await requestPasswordReset(engine.guard, { email, ip: at }); await delivery; return answer }
  const confirm = (input: { email: string; code: string; password?: string; factor?: 'totp' | 'recovery_code'; factorCode?: string }) =>
    confirmPasswordReset(engine.guard, { password: 'a new passphrase', ...input, ip: client() })
  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number; details: unknown }) => error)

  it('answers the same for a known and an unknown address; only the known one gets mail', async () => {
    const user = await newUser(engine, 'known')
    const before = engine.mail.length
    expect(await request(user.email)).toEqual({ ok: true, expiresInSeconds: 1800 })
    expect(await request('nobody-at-all@example.test')).toEqual({ ok: true, expiresInSeconds: 1800 })
    expect(engine.mail.slice(before).map(m => m.to)).toEqual([user.email])
    expect(codeFrom(user.email)).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/)
    const stored = JSON.stringify(await engine.db.query('select * from guard_password_resets'))
    expect(stored).not.toContain(codeFrom(user.email).replace('-', ''))
  })

  it('a wrong code answers the same for an account with a live code and for an unknown address (no tries left to compare)', async () => {
    const user = await newUser(engine, 'probe')
    await request(user.email)
    const known = await refusal(confirm({ email: user.email, code: 'AAAAA-AAAAA' }))
    const unknown = await refusal(confirm({ email: 'nobody-probe@example.test', code: 'AAAAA-AAAAA' }))
    const shape = (error: { code: string; status: number; details: unknown; body?: () => unknown }) => [error.code, error.status, error.details, error.body?.()]
    expect(shape(known)).toEqual(shape(unknown))
    expect(JSON.stringify(shape(known))).not.toContain('attemptsRemaining')
  })

  it('sets the password, revokes every session, tells the user; the code works once', async () => {
    const user = await newUser(engine, 'reset')
    await request(user.email)
    const code = codeFrom(user.email)
    expect((await confirm({ email: user.email, code })).revokedSessions).toBe(1)
    expect(await engine.guard.sessions.refresh(user.issued.refreshToken)).toBeUndefined()
    expect(engine.mail.at(-1)).toMatchObject({ to: user.email, subject: 'Your password was changed' })
    await expect(engine.guard.sessions.signIn({ email: user.email, password: 'a new passphrase' })).resolves.toMatchObject({ user: { id: user.userId } })
    expect(await refusal(confirm({ email: user.email, code, password: 'another passphrase' }))).toMatchObject({ code: 'invalid_reset_code', status: 400 })
  })

  it('refuses an expired code', async () => {
    const user = await newUser(engine, 'expired')
    await request(user.email)
    engine.clock.advance(30 * 60_000 + 1_000)
    expect(await refusal(confirm({ email: user.email, code: codeFrom(user.email) }))).toMatchObject({ code: 'invalid_reset_code' })
  })

  it('refuses one account\'s code for another account', async () => {
    const alice = await newUser(engine, 'alice')
    const mallory = await newUser(engine, 'mallory')
    await request(alice.email)
    await request(mallory.email)
    expect(await refusal(confirm({ email: alice.email, code: codeFrom(mallory.email) }))).toMatchObject({ code: 'invalid_reset_code' })
  })

  it('a code survives 5 wrong tries, then is dead even for the right code', async () => {
    const user = await newUser(engine, 'guess')
    await request(user.email)
    for (let i = 0; i < 5; i++) expect(await refusal(confirm({ email: user.email, code: 'AAAAA-AAAAA' }))).toMatchObject({ code: 'invalid_reset_code' })
    expect(await refusal(confirm({ email: user.email, code: codeFrom(user.email) }))).toMatchObject({ code: 'invalid_reset_code' })
  })

  it('wrong second-factor codes do not use up the reset code\'s tries (the factor has its own limit)', async () => {
    const user = await newUser(engine, 'fumble')
    const { secret } = await enrollTotp(engine, user)
    await request(user.email)
    const code = codeFrom(user.email)
    for (let i = 0; i < 4; i++) expect(await refusal(confirm({ email: user.email, code, factor: 'totp', factorCode: '000000' }))).toMatchObject({ code: 'invalid_code' })
    expect(await refusal(confirm({ email: user.email, code }))).toMatchObject({ code: 'reset_factor_required' })
    await confirm({ email: user.email, code, factor: 'totp', factorCode: totpCodeAt(secret, engine.clock.now()) })
    await expect(engine.guard.sessions.signIn({ email: user.email, password: 'a new passphrase' })).resolves.toBeTruthy()
  })

  it('an account with TOTP needs its code (or a recovery code) too; without it nothing changes and the code stays live', async () => {
    const user = await newUser(engine, 'totp')
    const { secret, recoveryCodes } = await enrollTotp(engine, user)
    await request(user.email)
    const code = codeFrom(user.email)
    expect(await refusal(confirm({ email: user.email, code }))).toMatchObject({ code: 'reset_factor_required', status: 403, details: { factors: ['totp', 'recovery_code'] } })
    expect(await refusal(confirm({ email: user.email, code, factor: 'totp', factorCode: '000000' }))).toMatchObject({ code: 'invalid_code', status: 401 })
    await expect(engine.guard.sessions.signIn({ email: user.email, password: 'a new passphrase' })).rejects.toMatchObject({ code: 'invalid_credentials' })
    await confirm({ email: user.email, code, factor: 'totp', factorCode: totpCodeAt(secret, engine.clock.now()) })
    await expect(engine.guard.sessions.signIn({ email: user.email, password: 'a new passphrase' })).resolves.toBeTruthy()
    // A recovery code answers as well, and is spent.
    await request(user.email)
    await confirm({ email: user.email, code: codeFrom(user.email), password: 'third passphrase', factor: 'recovery_code', factorCode: recoveryCodes![0]! })
    await request(user.email)
    expect(await refusal(confirm({ email: user.email, code: codeFrom(user.email), factor: 'recovery_code', factorCode: recoveryCodes![0]! }))).toMatchObject({ code: 'invalid_code' })
  })

  it('rate limits requests per address (known or not) and per client, with a wait', async () => {
    const user = await newUser(engine, 'limited')
    for (const email of [user.email, 'ghost-limited@example.test']) {
      for (let i = 0; i < 5; i++) await request(email)
      expect(await refusal(request(email))).toMatchObject({ code: 'too_many_attempts', status: 429, details: { retryAfterSeconds: 900 } })
    }
    const at = client()
    for (let i = 0; i < 20; i++) await request(`spray-${i}@example.test`, at)
    expect(await refusal(request('spray-last@example.test', at))).toMatchObject({ code: 'too_many_attempts' })
  })

  it('a disabled account gets no code, only an email saying it is disabled; the answer is the one every address gets', async () => {
    const user = await newUser(engine, 'disabled-request')
    await disableUser(engine.guard, { userId: user.userId, actorId: 'user_admin', reason: 'Left' })
    const before = engine.mail.length
    expect(await request(user.email)).toEqual({ ok: true, expiresInSeconds: 1800 })
    expect(engine.mail.slice(before)).toEqual([expect.objectContaining({ to: user.email, subject: 'Your password cannot be reset' })])
    expect(engine.mail.at(-1)!.text).not.toMatch(/code is/)
    expect(await engine.db.query('select id from guard_password_resets where user_id = $1', [user.userId])).toHaveLength(0)
  })

  it('disabling the account voids its reset code: the code sets nothing, then or once the account is enabled again', async () => {
    const user = await newUser(engine, 'disabled-confirm')
    await request(user.email)
    const code = codeFrom(user.email)
    await disableUser(engine.guard, { userId: user.userId, actorId: 'user_admin', reason: 'Compromised' })
    expect(await refusal(confirm({ email: user.email, code }))).toMatchObject({ code: 'invalid_reset_code', status: 400 })
    await enableUser(engine.guard, user.userId)
    expect(await refusal(confirm({ email: user.email, code }))).toMatchObject({ code: 'invalid_reset_code', status: 400 })
    await expect(engine.guard.sessions.signIn({ email: user.email, password: 'a new passphrase' })).rejects.toMatchObject({ code: 'invalid_credentials' })
    await request(user.email)
    await confirm({ email: user.email, code: codeFrom(user.email) })
    await expect(engine.guard.sessions.signIn({ email: user.email, password: 'a new passphrase' })).resolves.toMatchObject({ user: { id: user.userId } })
  })

  it('a live code of an account disabled in the same instant (stored just before the disable) answers 403 user_disabled', async () => {
    const user = await newUser(engine, 'disabled-race')
    await disableUser(engine.guard, { userId: user.userId, actorId: 'user_admin', reason: 'Compromised' })
    // The row a request racing the disable could have written: a code the disable did not see.
    const code = 'K7Q2M-9XHTC'
    const now = engine.guard.mfa.nowDate()
    await engine.db.query('insert into guard_password_resets (id, user_id, code_hash, created_at, expires_at) values ($1, $2, $3, $4, $5)',
      ['reset_race', user.userId, hashOneTimeCode(RESET_CODE_PURPOSE, 'reset_race', code, engine.guard.mfa.pepper), now.toISOString(), new Date(now.getTime() + 600_000).toISOString()])
    expect(await refusal(confirm({ email: user.email, code }))).toMatchObject({ code: 'user_disabled', status: 403 })
  })
})

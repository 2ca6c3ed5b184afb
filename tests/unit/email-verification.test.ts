import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGuard } from '../../modules/guard/runtime/core/engine/create-guard'
import { confirmEmailVerification, sendVerificationEmail, verifyAfterSignUp } from '../../modules/guard/runtime/core/email-verification/verify'
import { confirmEmailChange, requestEmailChange } from '../../modules/guard/runtime/core/email-verification/change'
import { insertFactor, listFactors } from '../../modules/guard/runtime/core/store/factors'
import { requestPasswordReset } from '../../modules/guard/runtime/core/password-reset/request'
import { confirmPasswordReset } from '../../modules/guard/runtime/core/password-reset/confirm'
import { maskEmail } from '../../modules/guard/runtime/core/mfa/email-code/code'
import { confirmEmailEnrollment, sendEmailCode } from '../../modules/guard/runtime/core/mfa/email-code/service'
import { findUserById } from '../../modules/guard/runtime/core/store/users'
import { enrollTotp, newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

/** Verifying and changing the address, from the attacker's side: codes (reused, expired, another account's, guessed), limits, re-auth, taken addresses. */
describe('email verification (engine)', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine({ mfa: { strategies: { email_code: true } } }) }, 60_000)
  afterAll(async () => { await engine?.close() })

  const user = async (id: string) => (await findUserById(engine.db, id))!
  const lastMail = (to: string) => engine.mail.filter(m => m.to === to).at(-1)!
  const codeFrom = (to: string) => /code is ([A-Z0-9-]+)\./.exec(lastMail(to).text)![1]!
  const send = async (userId: string) => { const { answer, delivery } = await sendVerificationEmail(engine.guard, await user(userId)); await delivery; return answer }
  const confirm = async (userId: string, code: string) => confirmEmailVerification(engine.guard, { user: await user(userId), code })
  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number; details: Record<string, unknown> }) => error)
  const setAccount = async (account: Record<string, unknown>) => {
    const live = engine.guard.live.policy
    await engine.guard.live.save({ ...live.config, account: { ...live.config.account, ...account } }, { expectedVersion: live.version })
  }

  it('sends a 10-symbol code that is stored only as a keyed hash; confirming verifies the address and the next token says so', async () => {
    const ada = await newUser(engine, 'ada')
    expect(ada.issued.claims.email_verified).toBe(false)
    expect(await send(ada.userId)).toEqual({ verified: false, sentTo: ada.email, expiresInSeconds: 1800 })
    expect(lastMail(ada.email).subject).toBe('Verify your email address')
    const code = codeFrom(ada.email)
    expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/)
    expect(JSON.stringify(await engine.db.query('select * from guard_email_verifications'))).not.toContain(code.replace('-', ''))
    // Typed loosely: lower case, spaces.
    expect(await confirm(ada.userId, ` ${code.toLowerCase().replace('-', ' ')} `)).toMatchObject({ emailVerified: true })
    const refreshed = await engine.guard.sessions.refresh(ada.issued.refreshToken)
    expect(refreshed?.claims.email_verified).toBe(true)
    const audit = await engine.db.query<{ action: string }>('select action from guard_audit where target = $1', [ada.userId])
    expect(audit.map(row => row.action)).toContain('user.email_verified')
  })

  it('every session of the user carries the new value from its next request (claims epoch bumped)', async () => {
    const bo = await newUser(engine, 'bo')
    await send(bo.userId)
    await confirm(bo.userId, codeFrom(bo.email))
    // The token minted at sign-up is now stale for the authenticator: it re-mints it.
    const result = await engine.guard.authenticator.authenticate({ token: bo.issued.token, refreshToken: bo.issued.refreshToken })
    expect(result.status).toBe('signed-in')
    expect(result.status === 'signed-in' && result.auth.sessionClaims?.email_verified).toBe(true)
  })

  it('a code works once: used again, the verified address answers as verified and nothing changes (no audit, no re-mint)', async () => {
    const u = await newUser(engine, 'once')
    await send(u.userId)
    const code = codeFrom(u.email)
    await confirm(u.userId, code)
    const audited = (await engine.db.query('select id from guard_audit where target = $1', [u.userId])).length
    const epoch = engine.guard.authenticator.epochs.userEpoch(u.userId)
    expect(await confirm(u.userId, code)).toMatchObject({ emailVerified: true })
    expect(await confirm(u.userId, 'AAAAA-AAAAA')).toMatchObject({ emailVerified: true })
    expect(await engine.db.query('select id from guard_audit where target = $1', [u.userId])).toHaveLength(audited)
    expect(engine.guard.authenticator.epochs.userEpoch(u.userId)).toBe(epoch)
    expect(await engine.db.query('select id from guard_email_verifications where user_id = $1 and used_at is null', [u.userId])).toHaveLength(0)
  })

  it('an expired code is refused', async () => {
    const u = await newUser(engine, 'expired')
    await send(u.userId)
    engine.clock.advance(30 * 60_000 + 1_000)
    expect(await refusal(confirm(u.userId, codeFrom(u.email)))).toMatchObject({ code: 'invalid_verification_code' })
    expect((await user(u.userId)).emailVerified).toBe(false)
  })

  it('another account\'s code does not verify mine', async () => {
    const alice = await newUser(engine, 'alice')
    const mallory = await newUser(engine, 'mallory')
    await send(alice.userId)
    await send(mallory.userId)
    expect(await refusal(confirm(alice.userId, codeFrom(mallory.email)))).toMatchObject({ code: 'invalid_verification_code' })
    // Mallory's own code is not spent by Alice's attempt, and Alice's still works.
    await confirm(mallory.userId, codeFrom(mallory.email))
    await confirm(alice.userId, codeFrom(alice.email))
  })

  it('a code survives 5 wrong tries (counting down), then is dead even for the right code', async () => {
    const u = await newUser(engine, 'guess')
    await send(u.userId)
    for (let left = 4; left >= 0; left--) {
      expect(await refusal(confirm(u.userId, 'AAAAA-AAAAA'))).toMatchObject({ code: 'invalid_verification_code', details: { attemptsRemaining: left } })
    }
    expect(await refusal(confirm(u.userId, codeFrom(u.email)))).toMatchObject({ code: 'invalid_verification_code', details: { attemptsRemaining: 0 } })
  })

  it('a resent code replaces the earlier one; 5 sends per user per 15 minutes (sign-up\'s included), then 429 with the wait', async () => {
    const u = await newUser(engine, 'resend')
    await verifyAfterSignUp(engine.guard, u.userId)
    const first = codeFrom(u.email)
    for (let i = 0; i < 4; i++) await send(u.userId)
    expect(await refusal(send(u.userId))).toMatchObject({ code: 'too_many_attempts', status: 429, details: { retryAfterSeconds: 900 } })
    expect(await refusal(confirm(u.userId, first))).toMatchObject({ code: 'invalid_verification_code' })
    engine.clock.advance(15 * 60_000 + 1_000)
    await send(u.userId)
    await confirm(u.userId, codeFrom(u.email))
  })

  it('an already verified address sends nothing; with emailVerification off nothing is sent at all', async () => {
    const u = await newUser(engine, 'verified')
    await send(u.userId)
    await confirm(u.userId, codeFrom(u.email))
    const sent = engine.mail.length
    expect(await send(u.userId)).toEqual({ verified: true, email: u.email })
    await setAccount({ emailVerification: 'off' })
    try {
      const other = await newUser(engine, 'off')
      expect(await refusal(send(other.userId))).toMatchObject({ code: 'email_verification_off', status: 409 })
      await verifyAfterSignUp(engine.guard, other.userId)
      expect(engine.mail.length).toBe(sent)
    }
    finally { await setAccount({ emailVerification: 'optional' }) }
  })
})

describe('changing the address (engine)', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine() }, 60_000)
  afterAll(async () => { await engine?.close() })

  const user = async (id: string) => (await findUserById(engine.db, id))!
  const codeFrom = (to: string) => /code is ([A-Z0-9-]+)\./.exec(engine.mail.filter(m => m.to === to).at(-1)!.text)![1]!
  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number; details: Record<string, unknown> }) => error)
  const ask = async (u: { userId: string; sessionId: string }, newEmail: string, currentPassword: string | undefined = 'password-123', tokenFactors?: Record<string, number>) => {
    const { answer, delivery } = await requestEmailChange(engine.guard, { user: await user(u.userId), sessionId: u.sessionId, newEmail, currentPassword, tokenFactors, client: { ip: '10.9.0.1' } })
    await delivery
    return answer
  }
  const confirm = async (userId: string, code: string) => { const done = await confirmEmailChange(engine.guard, { user: await user(userId), code }); await done.delivery; return done }

  it('the code goes to the NEW address; once confirmed the address changes, is verified, sign-in uses it, and the old address is told', async () => {
    const u = await newUser(engine, 'mover')
    const target = `moved-${u.userId.slice(-6).toLowerCase()}@new.test`
    expect(await ask(u, target)).toEqual({ sentTo: target, expiresInSeconds: 1800 })
    expect(engine.mail.at(-1)).toMatchObject({ to: target, subject: 'Confirm your new email address' })
    expect((await user(u.userId)).email).toBe(u.email) // nothing changes before the code
    const done = await confirm(u.userId, codeFrom(target))
    expect(done.user).toMatchObject({ email: target, emailVerified: true })
    expect(done.previousEmail).toBe(u.email)
    const notice = engine.mail.at(-1)!
    expect(notice).toMatchObject({ to: u.email, subject: 'Your email address was changed' })
    expect(notice.text).not.toContain(target) // the new address is masked
    await expect(engine.guard.sessions.signIn({ email: target, password: 'password-123' })).resolves.toMatchObject({ user: { id: u.userId } })
    await expect(engine.guard.sessions.signIn({ email: u.email, password: 'password-123' })).rejects.toMatchObject({ code: 'invalid_credentials' })
    const refreshed = await engine.guard.sessions.refresh(u.issued.refreshToken)
    expect(refreshed?.claims.email_verified).toBe(true)
    const audit = await engine.db.query<{ action: string }>('select action from guard_audit where target = $1 order by id', [u.userId])
    expect(audit.map(row => row.action)).toEqual(expect.arrayContaining(['user.email_change_requested', 'user.email_changed']))
  })

  it('a reset code sent to the old address stops working once the address changes', async () => {
    const u = await newUser(engine, 'oldreset')
    await (await requestPasswordReset(engine.guard, { email: u.email, ip: '10.9.0.2' })).delivery
    const resetCode = /reset code is ([A-Z0-9-]+)\./.exec(engine.mail.filter(m => m.to === u.email).at(-1)!.text)![1]!
    const target = `after-reset-${u.userId.slice(-6).toLowerCase()}@new.test`
    await ask(u, target)
    await confirm(u.userId, codeFrom(target))
    await expect(confirmPasswordReset(engine.guard, { email: target, code: resetCode, password: 'a brand new passphrase 42', ip: '10.9.0.2' }))
      .rejects.toMatchObject({ code: 'invalid_reset_code' })
  })

  it('the email-code factor\'s label follows the new address (its codes go there)', async () => {
    const u = await newUser(engine, 'labelled')
    await insertFactor(engine.db, { id: `fac_${u.userId}`, userId: u.userId, type: 'email_code', label: maskEmail(u.email), now: engine.guard.mfa.nowDate() })
    const target = `relabel-${u.userId.slice(-6).toLowerCase()}@new.test`
    await ask(u, target)
    await confirm(u.userId, codeFrom(target))
    const [factor] = await listFactors(engine.db, u.userId, { type: 'email_code', pending: true })
    expect(factor?.label).toBe(maskEmail(target))
  })

  it('an address another account holds is refused with 409 email_taken — but only after the account\'s own proof', async () => {
    const holder = await newUser(engine, 'holder')
    const u = await newUser(engine, 'grabber')
    expect(await refusal(ask(u, holder.email.toUpperCase(), 'wrong password'))).toMatchObject({ code: 'incorrect_password', status: 422 })
    expect(await refusal(ask(u, holder.email))).toMatchObject({ code: 'email_taken', status: 409, details: { field: 'email' } })
    expect(engine.mail.filter(m => m.to === holder.email && m.subject.includes('new email'))).toEqual([])
  })

  it('another account taking the address between request and confirm: 409, nothing changes', async () => {
    const u = await newUser(engine, 'racer')
    const target = `race-${u.userId.slice(-6).toLowerCase()}@new.test`
    await ask(u, target)
    const code = codeFrom(target)
    await engine.guard.sessions.signUp({ email: target, password: 'password-123' })
    expect(await refusal(confirm(u.userId, code))).toMatchObject({ code: 'email_taken', status: 409 })
    expect((await user(u.userId)).email).toBe(u.email)
  })

  it('needs the current password (no second factor): missing is 422 naming currentPassword; the same address is 422', async () => {
    const u = await newUser(engine, 'proof')
    expect(await refusal(ask(u, 'someone-new@new.test', ''))).toMatchObject({ code: 'invalid_request', details: { field: 'currentPassword' } })
    expect(await refusal(ask(u, u.email.toUpperCase()))).toMatchObject({ code: 'invalid_request', details: { field: 'email' } })
  })

  it('with a second factor, a recent one in this session is the proof (the password alone is not): 403 mfa_required with an mfa_token', async () => {
    const u = await newUser(engine, 'totp')
    await enrollTotp(engine, u)
    engine.clock.advance(11 * 60_000)
    const stale = await refusal(ask(u, `totp-${u.userId.slice(-6).toLowerCase()}@new.test`))
    expect(stale).toMatchObject({ code: 'mfa_required', status: 403, details: { mfa_token: expect.any(String) } })
  })

  it('a verify code does not confirm a change, nor another account\'s change code; a change code works once', async () => {
    const a = await newUser(engine, 'crossa')
    const b = await newUser(engine, 'crossb')
    const ta = `cross-a-${a.userId.slice(-6).toLowerCase()}@new.test`
    const tb = `cross-b-${b.userId.slice(-6).toLowerCase()}@new.test`
    await ask(a, ta)
    await ask(b, tb)
    expect(await refusal(confirm(a.userId, codeFrom(tb)))).toMatchObject({ code: 'invalid_verification_code' })
    const { answer } = await sendVerificationEmail(engine.guard, await user(a.userId))
    expect(answer.verified).toBe(false)
    expect(await refusal(confirm(a.userId, codeFrom(a.email)))).toMatchObject({ code: 'invalid_verification_code' })
    await confirm(a.userId, codeFrom(ta))
    expect(await refusal(confirm(a.userId, codeFrom(ta)))).toMatchObject({ code: 'invalid_verification_code' })
  })

  it('5 change requests per user per 15 minutes (wrong passwords included), then 429', async () => {
    const u = await newUser(engine, 'spray')
    for (let i = 0; i < 5; i++) await refusal(ask(u, `spray-${i}@new.test`, 'not my password'))
    expect(await refusal(ask(u, 'spray-last@new.test'))).toMatchObject({ code: 'too_many_attempts', status: 429 })
  })
})

describe('the email-code factor needs a verified address', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine({ mfa: { strategies: { email_code: true } } }) }, 60_000)
  afterAll(async () => { await engine?.close() })

  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number }) => error)

  it('refuses to send or confirm an enrollment code for an unverified address; after verifying, it can be set up', async () => {
    const u = await newUser(engine, 'factor')
    expect(await refusal(sendEmailCode(engine.guard.mfa, { ...u, purpose: 'enroll' }))).toMatchObject({ code: 'email_verification_required', status: 403 })
    expect(await refusal(confirmEmailEnrollment(engine.guard.mfa, { ...u, code: '000000' }))).toMatchObject({ code: 'email_verification_required' })
    const { delivery } = await sendVerificationEmail(engine.guard, (await findUserById(engine.db, u.userId))!)
    await delivery
    await confirmEmailVerification(engine.guard, { user: (await findUserById(engine.db, u.userId))!, code: /code is ([A-Z0-9-]+)\./.exec(engine.mail.at(-1)!.text)![1]! })
    await sendEmailCode(engine.guard.mfa, { ...u, purpose: 'enroll' })
    await expect(confirmEmailEnrollment(engine.guard.mfa, { ...u, code: /(\d{6})/.exec(engine.mail.at(-1)!.text)![1]! })).resolves.toMatchObject({ issued: expect.anything() })
  })
})

describe('an unverified admin cannot require verified addresses (self lock-out)', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine() }, 60_000)
  afterAll(async () => { await engine?.close() })

  it('names account.emailVerification while their own address is unverified; nothing to say once it is, or for optional', async () => {
    const { verificationSelfLockOut } = await import('../../modules/guard/runtime/core/email-verification/console-safety')
    const admin = await newUser(engine, 'admin')
    expect(await verificationSelfLockOut(engine.db, admin.userId, { account: { emailVerification: 'optional' } })).toBeUndefined()
    expect(await verificationSelfLockOut(engine.db, admin.userId, { account: { emailVerification: 'required' } })).toEqual({
      path: 'account.emailVerification', message: expect.stringContaining(`your own address ${admin.email} is not verified`),
    })
    const { verifyAddress } = await import('../support/mfa-engine')
    await verifyAddress(engine, admin)
    expect(await verificationSelfLockOut(engine.db, admin.userId, { account: { emailVerification: 'required' } })).toBeUndefined()
  })
})

describe('start-up with verification required', () => {
  it('warns when codes can only reach the outbox (no SMTP, no mailer), and not when mail can leave', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const seed = { account: { emailVerification: 'required' } }
      const secret = randomBytes(32).toString('base64url')
      const outboxOnly = await createGuard({ database: { dataDir: 'memory://' }, secret, seed })
      await outboxOnly.close()
      expect(warn.mock.calls.flat().join('\n')).toMatch(/emailVerification is "required" but no SMTP is set.*NUXT_GUARD_SMTP_URL/)
      warn.mockClear()
      const mailing = await createGuard({ database: { dataDir: 'memory://' }, secret, seed, mailer: { send: async () => {} } })
      await mailing.close()
      expect(warn.mock.calls.flat().join('\n')).not.toMatch(/emailVerification/)
    }
    finally { warn.mockRestore() }
  }, 60_000)
})

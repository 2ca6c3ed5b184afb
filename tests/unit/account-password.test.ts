/**
 * Changing the password (core/account/change-password.ts) from the
 * attacker's side: a wrong current password is refused and counted as a
 * failed sign-in (and past the limit even the right one waits), a session
 * signed out by the change stays out (copied token or refresh secret), a
 * refresh secret of this session copied before the change is void, and an
 * account with a second factor needs one completed in the last 10 minutes,
 * as the caller's own token says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changePassword, type ChangePasswordInput } from '../../modules/guard/runtime/core/account/change-password'
import { RECENT_FACTOR_MAX_AGE_SECONDS } from '../../modules/guard/runtime/core/account/recent-factor'
import { saveConfig } from '../../modules/guard/runtime/core/admin/save'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { enrollTotp, newUser, signInAgain, startMfaEngine, type MfaEngine } from '../support/mfa-engine'
import { rejectionOf } from '../support/engine'

describe('change password', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine() }, 60_000)
  afterAll(async () => { await engine?.close() })

  let ip = 0
  const client = () => `10.1.0.${++ip}`
  const change = (user: { userId: string; sessionId: string }, input: Partial<ChangePasswordInput> = {}) =>
    changePassword(engine.guard, { currentPassword: 'password-123', newPassword: 'a new passphrase', ip: client(), ...user, ...input })
  const failuresOf = async (email: string) => (await engine.db.query<{ n: number }>(
    'select count(*)::int as n from guard_sign_in_failures where account = $1', [engine.guard.throttle.accountKey(email)],
  ))[0]!.n
  const switchTotp = (on: boolean) => {
    const config = engine.guard.live.policy.config
    return saveConfig(engine.guard, {
      document: { ...config, mfa: { ...config.mfa, strategies: { ...config.mfa.strategies, totp: on } } },
      expectedVersion: engine.guard.live.policy.version, action: 'config.save', note: 'test', actor: { userId: 'test', ip: null }, consolePath: '',
    })
  }
  const signsIn = (email: string, password: string) => engine.guard.sessions.signIn({ email, password }).then(() => true, () => false)

  it('sets the new password, signs the other sessions out everywhere, renews this one and tells the user', async () => {
    const user = await newUser(engine, 'change')
    const other = await signInAgain(engine, user.email)
    engine.guard.authenticator.remember(other.issued.token, other.issued.claims)
    const before = engine.mail.length
    const { renewed, revokedSessions } = await change(user)
    expect(revokedSessions).toBe(1)
    expect([await signsIn(user.email, 'password-123'), await signsIn(user.email, 'a new passphrase')]).toEqual([false, true])
    // The other session: its cached token is refused at its next request, its refresh secret never works again.
    expect(engine.guard.authenticator.fromCache(other.issued.token)).toBeUndefined()
    expect((await engine.guard.authenticator.authenticate({ token: other.issued.token, refreshToken: other.issued.refreshToken })).status).toBe('signed-out')
    // This session stays, renewed: the refresh secret it had before (a copied cookie) is void, the new one works.
    expect(await engine.guard.sessions.refresh(user.issued.refreshToken)).toBeUndefined()
    expect(renewed?.claims.sid).toBe(user.sessionId)
    expect(await engine.guard.sessions.refresh(renewed!.refreshToken)).toMatchObject({ claims: { sid: user.sessionId } })
    const [row] = await engine.db.query<{ password_changed_at: Date | string | null }>('select password_changed_at from guard_users where id = $1', [user.userId])
    expect(new Date(row!.password_changed_at!).getTime()).toBe(engine.clock.now())
    expect(engine.mail.slice(before)).toEqual([expect.objectContaining({ to: user.email, subject: 'Your password was changed' })])
    const audit = await engine.db.query<{ after: unknown }>(`select after from guard_audit where action = 'user.password_changed' and target = $1`, [user.userId])
    expect(audit.map(entry => entry.after)).toEqual([{ signOutOfOtherSessions: true, revokedSessions: 1 }])
    expect(JSON.stringify(await engine.db.query('select * from guard_audit'))).not.toMatch(/a new passphrase|password-123|scrypt\$/)
  })

  it('keeps the other sessions when asked to', async () => {
    const user = await newUser(engine, 'keep')
    const other = await signInAgain(engine, user.email)
    expect((await change(user, { signOutOfOtherSessions: false })).revokedSessions).toBe(0)
    expect(await engine.guard.sessions.refresh(other.issued.refreshToken)).toMatchObject({ claims: { sid: other.sessionId } })
  })

  it('refuses a wrong current password, counts it as a failed sign-in and changes nothing', async () => {
    const user = await newUser(engine, 'wrong')
    const refused = await rejectionOf(change(user, { currentPassword: 'not-my-password' }))
    expect(refused).toMatchObject({ code: 'incorrect_password', status: 422, details: { field: 'currentPassword' } })
    expect(await failuresOf(user.email)).toBe(1)
    expect(await signsIn(user.email, 'password-123')).toBe(true)
  })

  it('is no faster a password oracle than sign-in: past the limit even the right password waits', async () => {
    const user = await newUser(engine, 'guesser')
    const at = client()
    for (let i = 0; i < 10; i++) expect(await rejectionOf(change(user, { currentPassword: `guess-${i}`, ip: at }))).toMatchObject({ code: 'incorrect_password' })
    expect(await rejectionOf(change(user, { ip: at }))).toMatchObject({ code: 'too_many_attempts', status: 429 })
    expect(await signsIn(user.email, 'a new passphrase')).toBe(false)
  }, 60_000)

  it('refuses the current password again, and a password the check refuses', async () => {
    const user = await newUser(engine, 'same')
    expect(await rejectionOf(change(user, { newPassword: 'password-123' }))).toMatchObject({ code: 'invalid_request', status: 422, details: { field: 'newPassword' } })
    expect(await rejectionOf(change(user, { newPassword: 'short' }))).toMatchObject({ status: 422, details: { field: 'password' } })
    expect(await signsIn(user.email, 'password-123')).toBe(true)
  })

  describe('with a second factor', () => {
    it('needs one completed in the last 10 minutes: else 403 mfa_required with a step-up token for this session', async () => {
      const user = await newUser(engine, 'stepup')
      const { secret, issued } = await enrollTotp(engine, user)
      engine.clock.advance((RECENT_FACTOR_MAX_AGE_SECONDS + 1) * 1000)
      const stale = await rejectionOf(change(user, { tokenFactors: issued.claims.mfa?.c }))
      expect(stale).toMatchObject({ code: 'mfa_required', status: 403, details: { mfa_requirements: { challenge: [{ type: 'totp' }, { type: 'recovery_code' }] }, maxAgeSeconds: 600 } })
      const mfaToken = (stale as { details: { mfa_token: string } }).details.mfa_token
      expect(await engine.guard.mfa.verifyStepUpToken(mfaToken, user.sessionId)).toMatchObject({ sid: user.sessionId })
      expect(await failuresOf(user.email)).toBe(0)
      // The step-up through the challenge: the new token says so, and the change goes through.
      const stepped = await completeChallenge(engine.guard.mfa, { userId: user.userId, sessionId: user.sessionId, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()), mfaToken })
      // A token minted before the step-up (a copy) does not count, though the session completed it since.
      expect(await rejectionOf(change(user, { tokenFactors: issued.claims.mfa?.c }))).toMatchObject({ code: 'mfa_required' })
      await change(user, { tokenFactors: stepped.claims.mfa?.c })
      expect(await signsIn(user.email, 'a new passphrase')).toBe(true)
    })

    it('a session signed in with the password only is refused, whatever its token claims', async () => {
      const user = await newUser(engine, 'pwonly')
      const { issued } = await enrollTotp(engine, user)
      const second = await signInAgain(engine, user.email)
      // A forged or borrowed factor list: the session row has no second factor.
      expect(await rejectionOf(change(second, { tokenFactors: issued.claims.mfa?.c }))).toMatchObject({ code: 'mfa_required' })
      expect(await rejectionOf(change(second, { tokenFactors: second.issued.claims.mfa?.c }))).toMatchObject({ code: 'mfa_required' })
      expect(await signsIn(user.email, 'password-123')).toBe(true)
    })

    it('a factor whose strategy is switched off does not count; with none usable the password alone does', async () => {
      const user = await newUser(engine, 'switched')
      const { issued } = await enrollTotp(engine, user)
      await switchTotp(false)
      try {
        await change(user, { tokenFactors: issued.claims.mfa?.c })
        expect(await signsIn(user.email, 'a new passphrase')).toBe(true)
      }
      finally { await switchTotp(true) }
    })
  })
})

/**
 * A change of privilege renews the session (a copied earlier refresh secret
 * is worthless), account changes need the second factor the token itself
 * carries, and nothing an admin saves can make token minting fail: the
 * claims size limit is enforced where data is saved, against real users, and
 * minting degrades instead of throwing. Core engine on PGlite, attacker's and
 * operator's side.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { decodeJwt } from 'jose'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { InvalidConfigError } from '../../modules/guard/runtime/core/engine/live-config'
import { findClaimsOverflow, userClaimsOverflow } from '../../modules/guard/runtime/core/engine/claims-limit'
import { fitClaims, claimsOverflow, OMITTED_CLAIMS_MARKER } from '../../modules/guard/runtime/core/claims/limit'
import { CLAIMS_SIZE_LIMIT_BYTES, claimsByteSize } from '../../modules/guard/runtime/core/claims/template'
import { findUserById, setPublicMetadata, setUserRoles } from '../../modules/guard/runtime/core/store/users'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { enrollTotp, newUser, signInAgain, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

// Sign-ins hash passwords with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

let engine: MfaEngine
beforeAll(async () => {
  engine = await startMfaEngine({ mfa: { enforce: 'all' }, claims: { template: { email: '{{user.email}}', plan: '{{user.public_metadata.plan}}' } } })
}, 60_000)
afterAll(() => engine?.close())

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as { status?: number; code?: string; issues?: unknown })

/** A user with TOTP, signed in again with only the password: the victim's session before the second factor. */
async function passwordOnlyVictim() {
  const user = await newUser(engine, 'victim')
  const { secret } = await enrollTotp(engine, user)
  const session = await signInAgain(engine, user.email)
  expect(session.issued.claims.mfa?.c).toEqual({})
  return { ...session, secret }
}

describe('completing a second factor renews the session', () => {
  it('the refresh secret copied before the victim completes TOTP refreshes nothing afterwards; the new one carries the factor', async () => {
    const victim = await passwordOnlyVictim()
    const copied = { token: victim.issued.token, refreshToken: victim.issued.refreshToken }
    // Before: the copy works (it is the victim's session).
    expect(await engine.guard.sessions.refresh(copied.refreshToken)).toBeDefined()

    const renewed = await completeChallenge(engine.guard.mfa, { userId: victim.userId, sessionId: victim.sessionId, factor: 'totp', code: totpCodeAt(victim.secret, engine.clock.now()) })
    expect(renewed.refreshToken).toBeDefined()
    expect(renewed.refreshToken).not.toBe(copied.refreshToken)
    expect(renewed.claims.mfa).toMatchObject({ c: { totp: expect.any(Number) }, v: true })

    // The attacker's copy: no token from the refresh secret, signed out by the authenticator (401, cookies cleared).
    expect(await engine.guard.sessions.refresh(copied.refreshToken)).toBeUndefined()
    engine.clock.advance(120_000) // the copied token has expired
    const attacker = await engine.guard.authenticator.authenticate({ token: copied.token, refreshToken: copied.refreshToken })
    expect(attacker).toMatchObject({ status: 'signed-out', clearCookies: true })

    // The victim's new secret refreshes, with the factor done.
    const victimNext = await engine.guard.sessions.refresh(renewed.refreshToken!)
    expect(victimNext!.claims.mfa).toMatchObject({ c: { totp: expect.any(Number) }, v: true })
  })

  it('a copied pre-MFA token made stale by an admin change (live claims) is judged by a fresh view without the factor its session completed later', async () => {
    const victim = await passwordOnlyVictim()
    const copied = { token: victim.issued.token, refreshToken: victim.issued.refreshToken }
    await completeChallenge(engine.guard.mfa, { userId: victim.userId, sessionId: victim.sessionId, factor: 'totp', code: totpCodeAt(victim.secret, engine.clock.now()) })
    await engine.guard.claimsChanged(victim.userId) // e.g. an admin edits the victim's metadata: older tokens are stale
    const attacker = await engine.guard.authenticator.authenticate({ token: copied.token, refreshToken: copied.refreshToken })
    expect(attacker.status).toBe('signed-in') // the copied token has not expired yet...
    expect(attacker.auth.sessionClaims!.mfa).toMatchObject({ c: {}, v: false }) // ...but it never shows the factor done
    expect(attacker.auth.sessionClaims!.fva).toEqual(victim.issued.claims.fva)
  })

  it('enrollment verify renews too: the secret from before the first factor is void', async () => {
    const user = await newUser(engine, 'enroll')
    const { issued } = await enrollTotp(engine, user)
    expect(issued.refreshToken).toBeDefined()
    expect(await engine.guard.sessions.refresh(user.issued.refreshToken)).toBeUndefined()
    expect(await engine.guard.sessions.refresh(issued.refreshToken!)).toBeDefined()
  })

  it('a copied password-only token does not count as the second factor for account changes, even after its session completed one', async () => {
    const victim = await passwordOnlyVictim()
    const staleFactors = (decodeJwt(victim.issued.token) as { mfa: { c: Record<string, number> } }).mfa.c
    const before = await refusal(engine.guard.mfa.requireCompletedFactor(victim.sessionId, victim.userId, staleFactors))
    expect(before).toMatchObject({ status: 403, code: 'mfa_required' })
    const renewed = await completeChallenge(engine.guard.mfa, { userId: victim.userId, sessionId: victim.sessionId, factor: 'totp', code: totpCodeAt(victim.secret, engine.clock.now()) })
    // The session row has the factor now, but the copied token does not.
    const after = await refusal(engine.guard.mfa.requireCompletedFactor(victim.sessionId, victim.userId, staleFactors))
    expect(after).toMatchObject({ status: 403, code: 'mfa_required' })
    await expect(engine.guard.mfa.requireCompletedFactor(victim.sessionId, victim.userId, renewed.claims.mfa!.c)).resolves.toBeUndefined()
  })

  it('a user without a second factor is not asked for one', async () => {
    const user = await newUser(engine, 'plain')
    await expect(engine.guard.mfa.requireCompletedFactor(user.sessionId, user.userId, {})).resolves.toBeUndefined()
  })
})

describe('a role change renews the user\'s sessions', () => {
  it('no refresh secret issued before the change mints a token with the new roles; the admin\'s own session is untouched', async () => {
    const admin = await newUser(engine, 'admin-actor')
    const member = await newUser(engine, 'member')
    const second = await signInAgain(engine, member.email)
    await setUserRoles(engine.db, member.userId, ['member', 'admin'])
    expect(await engine.guard.sessions.renewAfterPrivilegeChange(member.userId, admin.sessionId)).toBeUndefined()
    expect(await engine.guard.sessions.refresh(member.issued.refreshToken)).toBeUndefined()
    expect(await engine.guard.sessions.refresh(second.issued.refreshToken)).toBeUndefined()
    expect(await engine.guard.sessions.refresh(admin.issued.refreshToken)).toBeDefined()
    // Signing in again gives the new roles.
    expect((await signInAgain(engine, member.email)).issued.claims.roles).toEqual(['member', 'admin'])
  })

  it('an admin changing their own roles gets this session renewed; their other sessions are refused', async () => {
    const self = await newUser(engine, 'self')
    const other = await signInAgain(engine, self.email)
    await setUserRoles(engine.db, self.userId, ['member', 'billing'])
    const renewed = await engine.guard.sessions.renewAfterPrivilegeChange(self.userId, self.sessionId)
    expect(renewed!.claims).toMatchObject({ sid: self.sessionId, roles: ['member', 'billing'] })
    expect(await engine.guard.sessions.refresh(self.issued.refreshToken)).toBeUndefined()
    expect(await engine.guard.sessions.refresh(other.issued.refreshToken)).toBeUndefined()
    expect((await engine.guard.sessions.refresh(renewed!.refreshToken))!.claims.roles).toEqual(['member', 'billing'])
  })
})

describe('claims size: enforced where data is saved, minting degrades', () => {
  const bio = 'x'.repeat(1_500) // under the 4 KB metadata limit, over the 1200-byte claims limit

  it('fitClaims keeps claims in order while they fit and names the rest in omitted_claims', () => {
    const fitted = fitClaims({ plan: 'pro', bio, email: 'a@b.c' })
    expect(fitted.omitted).toEqual(['bio'])
    expect(fitted.claims).toEqual({ plan: 'pro', email: 'a@b.c', [OMITTED_CLAIMS_MARKER]: ['bio'] })
    expect(fitClaims({ plan: 'pro' })).toEqual({ claims: { plan: 'pro' }, omitted: [] })
    // Many mid-sized claims: the result is never over the limit.
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${i}`, 'y'.repeat(150)]))
    expect(claimsByteSize(fitClaims(many).claims)).toBeLessThanOrEqual(CLAIMS_SIZE_LIMIT_BYTES)
    expect(claimsOverflow({ plan: 'pro', bio })).toMatchObject({ claim: 'bio', limitBytes: CLAIMS_SIZE_LIMIT_BYTES })
  })

  it('a metadata value that overflows is refused for that user (the check the metadata PUT runs); another key is fine', async () => {
    const user = await newUser(engine, 'meta')
    const record = (await findUserById(engine.db, user.userId))!
    const overflow = await userClaimsOverflow(engine.db, engine.guard.live.policy, { ...record, publicMetadata: { plan: bio } })
    expect(overflow).toMatchObject({ claim: 'plan', userId: user.userId, email: user.email })
    expect(overflow!.bytes).toBeGreaterThan(CLAIMS_SIZE_LIMIT_BYTES)
    expect(await userClaimsOverflow(engine.db, engine.guard.live.policy, { ...record, publicMetadata: { bio } })).toBeUndefined()
  })

  it('roles that make {{user.roles}} overflow are refused for that user (the check the roles PUT runs)', async () => {
    const { guard } = engine
    const before = guard.live.policy
    await guard.live.save({ ...before.config, claims: { template: { ...before.config.claims.template, r: '{{user.roles}}' } } }, { expectedVersion: before.version })
    try {
      const user = await newUser(engine, 'roles')
      const record = (await findUserById(engine.db, user.userId))!
      const roles = Array.from({ length: 50 }, (_, i) => `role-with-a-rather-long-name-${i}`)
      expect(await userClaimsOverflow(engine.db, guard.live.policy, { ...record, roles })).toMatchObject({ claim: 'r' })
      expect(await userClaimsOverflow(engine.db, guard.live.policy, { ...record, roles: ['member'] })).toBeUndefined()
    }
    finally {
      await guard.live.save(before.config, { expectedVersion: guard.live.policy.version })
    }
  })

  it('a template save is checked against every real user and refused with the claim and the user; not only a sample', async () => {
    const { guard } = engine
    const user = await newUser(engine, 'bio-holder')
    await setPublicMetadata(engine.db, user.userId, { bio }) // harmless while the template does not read it
    const before = guard.live.policy
    const withBio = { ...before.config, claims: { template: { ...before.config.claims.template, bio: '{{user.public_metadata.bio}}' } } }
    const error = await refusal(guard.live.save(withBio, { expectedVersion: before.version }))
    expect(error).toBeInstanceOf(InvalidConfigError)
    const [issue] = (error as InvalidConfigError).issues
    expect(issue!.path).toBe('claims.template.bio')
    expect(issue!.message).toContain(user.email)
    expect(issue!.message).toContain(String(CLAIMS_SIZE_LIMIT_BYTES))
    expect(guard.live.policy).toBe(before) // the previous config stays live
    expect(await findClaimsOverflow(engine.db, before)).toBeUndefined()
  })

  it('a user whose data overflows behind the checks still signs in and refreshes: the overflowing claim is left out and named', async () => {
    const { guard } = engine
    const user = await newUser(engine, 'degraded')
    await setPublicMetadata(engine.db, user.userId, { plan: bio }) // written by other means than the checked PUT
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const signedIn = await guard.sessions.signIn({ email: user.email, password: 'password-123' })
      expect(signedIn.claims).toMatchObject({ email: user.email, [OMITTED_CLAIMS_MARKER]: ['plan'] })
      expect(signedIn.claims.plan).toBeUndefined()
      const refreshed = await guard.sessions.refresh(signedIn.refreshToken)
      expect(refreshed!.claims[OMITTED_CLAIMS_MARKER]).toEqual(['plan'])
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`user ${user.userId}`))
    }
    finally {
      warn.mockRestore()
    }
  })
})

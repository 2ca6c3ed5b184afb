/**
 * The engine's sessions over a real database: sign-up and sign-in,
 * authenticate (token cache, expiry, refresh, revocation, shared refreshes),
 * session lifetime, and a fresh database (one admin under a sign-up race;
 * fail closed). Every case runs once per backend (tests/support/backends.ts).
 */
import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { InvalidCredentialsError } from '../../modules/guard/runtime/core/engine/sessions'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { EmailTakenError, countUsers } from '../../modules/guard/runtime/core/store/users'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import {
  DAY, PASSWORD, REFRESH_SQL, SECRET, SESSION_TTL_DAYS, SKEW_MS, TOKEN_TTL_S,
  closeWithin, newEmail, rejectionOf, sleep, startEngine, stopEngine,
} from '../support/engine'

describe.each(testBackends())('engine on $name', (backend) => {
  const clock = fakeClock()
  let db: GuardDatabase
  let guard: Guard

  beforeAll(async () => { ({ db, guard } = await startEngine(backend, clock.now)) }, 60_000)
  afterAll(() => stopEngine(backend, { guard, db }), 30_000)
  afterEach(() => { vi.restoreAllMocks() })

  const signUp = (email = newEmail('user')) => guard.sessions.signUp({ email, password: PASSWORD })

  describe('sign-up and sign-in', () => {
    it('the first sign-up gets role admin, later ones member', async () => {
      expect(await countUsers(db)).toBe(0)
      const first = await signUp(newEmail('first'))
      const second = await signUp(newEmail('second'))
      const third = await signUp(newEmail('third'))
      expect(first.user.roles).toEqual(['admin'])
      expect(second.user.roles).toEqual(['member'])
      expect(third.user.roles).toEqual(['member'])
      expect(decodeJwt(first.token).roles).toEqual(['admin'])
      expect(decodeJwt(second.token).roles).toEqual(['member'])
      expect(await countUsers(db)).toBe(3)
    })

    it('a duplicate email in another case is refused with EmailTakenError', async () => {
      const email = newEmail('dup')
      await signUp(email)
      const before = await countUsers(db)
      const error = await rejectionOf(signUp(email.toUpperCase()))
      expect(error).toBeInstanceOf(EmailTakenError)
      expect(await countUsers(db)).toBe(before)
    })

    it('sign-in: the right password starts a session; a wrong password and an unknown email get the same InvalidCredentialsError', async () => {
      const email = newEmail('signin')
      const signedUp = await signUp(email)
      const signedIn = await guard.sessions.signIn({ email: email.toUpperCase(), password: PASSWORD })
      expect(signedIn.user.id).toBe(signedUp.user.id)
      expect(signedIn.sessionId).not.toBe(signedUp.sessionId)
      expect(decodeJwt(signedIn.token)).toMatchObject({ sub: signedUp.user.id, sid: signedIn.sessionId })

      const wrong = await rejectionOf(guard.sessions.signIn({ email, password: 'password-124' }))
      const unknown = await rejectionOf(guard.sessions.signIn({ email: newEmail('nobody'), password: PASSWORD }))
      expect(wrong).toBeInstanceOf(InvalidCredentialsError)
      expect(unknown).toBeInstanceOf(InvalidCredentialsError)
      expect((unknown as Error).message).toBe((wrong as Error).message)
    })
  })

  describe('authenticate', () => {
    it('a fresh token is signed in, and fromCache returns it synchronously afterwards', async () => {
      const session = await signUp()
      expect(guard.authenticator.fromCache(session.token)).toBeUndefined()
      const result = await guard.authenticator.authenticate({ token: session.token })
      expect(result.status).toBe('signed-in')
      if (result.status !== 'signed-in') throw new Error('unreachable')
      expect(result.issued).toBeUndefined()
      expect(result.auth.userId).toBe(session.user.id)
      expect(result.auth.sessionId).toBe(session.sessionId)
      expect(result.auth.roles).toEqual(['member'])
      expect(result.auth.sessionClaims?.exp).toBe(Math.floor(clock.now() / 1000) + TOKEN_TTL_S)

      const cached = guard.authenticator.fromCache(session.token)
      expect(cached).not.toBeInstanceOf(Promise)
      expect(cached).toBe(result.auth)
    })

    it('a bad token alone is signed out (and asks to clear cookies); no credentials is signed out without clearing', async () => {
      const session = await signUp()
      const tampered = `${session.token.slice(0, -4)}AAAA`
      expect(await guard.authenticator.authenticate({ token: tampered })).toMatchObject({ status: 'signed-out', clearCookies: true })
      expect(await guard.authenticator.authenticate({})).toMatchObject({ status: 'signed-out', clearCookies: false })
      expect((await guard.authenticator.authenticate({ token: tampered })).auth.userId).toBeNull()
    })

    it('past exp + skew the token alone is signed out; with the refresh cookie it is refreshed', async () => {
      const session = await signUp()
      expect((await guard.authenticator.authenticate({ token: session.token })).status).toBe('signed-in')
      const exp = (decodeJwt(session.token).exp as number) * 1000

      clock.set(exp + SKEW_MS - 1_000) // inside the skew: still good, from the cache
      expect(guard.authenticator.fromCache(session.token)?.userId).toBe(session.user.id)

      clock.set(exp + SKEW_MS + 1_000)
      expect(guard.authenticator.fromCache(session.token)).toBeUndefined()
      expect(await guard.authenticator.authenticate({ token: session.token })).toMatchObject({ status: 'signed-out', clearCookies: true })

      const refreshed = await guard.authenticator.authenticate({ token: session.token, refreshToken: session.refreshToken })
      expect(refreshed.status).toBe('signed-in')
      if (refreshed.status !== 'signed-in') throw new Error('unreachable')
      expect(refreshed.issued).toBeDefined()
      expect(refreshed.issued!.token).not.toBe(session.token)
      expect(refreshed.issued!.claims).toMatchObject({
        sub: session.user.id,
        sid: session.sessionId,
        exp: Math.floor(clock.now() / 1000) + TOKEN_TTL_S,
        iat: Math.floor(clock.now() / 1000),
      })
      expect(refreshed.auth.sessionId).toBe(session.sessionId)
      // the new token is cached for the next request
      expect(guard.authenticator.fromCache(refreshed.issued!.token)).toBe(refreshed.auth)
    })

    it('a bearer token is never refreshed', async () => {
      const session = await signUp()
      clock.advance((TOKEN_TTL_S + 6) * 1000)
      const result = await guard.authenticator.authenticate({ token: session.token, tokenSource: 'bearer', refreshToken: session.refreshToken })
      expect(result).toMatchObject({ status: 'signed-out', clearCookies: true })
    })

    it('revokeSession: the cached token is refused at once and the refresh fails', async () => {
      const session = await signUp()
      const other = await guard.sessions.signIn({ email: session.user.email, password: PASSWORD })
      expect((await guard.authenticator.authenticate({ token: session.token })).status).toBe('signed-in')
      expect((await guard.authenticator.authenticate({ token: other.token })).status).toBe('signed-in')

      expect(await guard.revokeSession(session.sessionId)).toBe(true)
      expect(guard.authenticator.fromCache(session.token)).toBeUndefined()
      expect(await guard.authenticator.authenticate({ token: session.token })).toMatchObject({ status: 'signed-out', clearCookies: true })
      const refresh = await guard.authenticator.authenticate({ token: session.token, refreshToken: session.refreshToken })
      expect(refresh).toMatchObject({ status: 'signed-out', clearCookies: true })
      expect(await guard.sessions.refresh(session.refreshToken)).toBeUndefined()
      // a second revocation reports that nothing was live
      expect(await guard.revokeSession(session.sessionId)).toBe(false)

      // the user's other session is untouched
      expect(guard.authenticator.fromCache(other.token)?.sessionId).toBe(other.sessionId)
      expect((await guard.sessions.refresh(other.refreshToken))?.claims.sid).toBe(other.sessionId)
    })

    it('concurrent refreshes of one refresh token share one database round trip', async () => {
      const session = await signUp()
      clock.advance((TOKEN_TTL_S + 6) * 1000)
      const refresh = vi.spyOn(guard.sessions, 'refresh')
      const query = vi.spyOn(db, 'query')
      const refreshQueries = () => query.mock.calls.filter(([sql]) => sql.trimStart().startsWith(REFRESH_SQL)).length

      // Only the refresh cookie (the token cookie has expired in the browser): all five start in the same tick.
      const results = await Promise.all(Array.from({ length: 5 }, () => guard.authenticator.authenticate({ refreshToken: session.refreshToken })))
      expect(refresh).toHaveBeenCalledTimes(1)
      expect(refreshQueries()).toBe(1)
      expect(results.map(result => result.status)).toEqual(Array(5).fill('signed-in'))
      const tokens = new Set(results.map(result => (result.status === 'signed-in' ? result.issued?.token : undefined)))
      expect(tokens.size).toBe(1)
      expect([...tokens][0]).toMatch(/^ey/)

      // Once settled, the next refresh goes to the database again (the sharing is per flight, not a cache).
      clock.advance((TOKEN_TTL_S + 6) * 1000)
      const again = await guard.authenticator.authenticate({ refreshToken: session.refreshToken })
      expect(again.status).toBe('signed-in')
      expect(refresh).toHaveBeenCalledTimes(2)
      expect(refreshQueries()).toBe(2)
    })

    it('concurrent requests with an expired token and the refresh cookie also share one refresh', async () => {
      const session = await signUp()
      clock.advance((TOKEN_TTL_S + 6) * 1000)
      const original = guard.sessions.refresh.bind(guard.sessions)
      // Hold the database a little so that every request is past its signature check before the first refresh settles.
      const refresh = vi.spyOn(guard.sessions, 'refresh').mockImplementation(async (token) => { await sleep(100); return original(token) })
      const results = await Promise.all(Array.from({ length: 5 }, () => guard.authenticator.authenticate({ token: session.token, refreshToken: session.refreshToken })))
      expect(refresh).toHaveBeenCalledTimes(1)
      expect(results.map(result => result.status)).toEqual(Array(5).fill('signed-in'))
      expect(new Set(results.map(result => (result.status === 'signed-in' ? result.issued?.token : undefined))).size).toBe(1)
    })
  })
  describe('session lifetime', () => {
    it('a session past sessionTtlDays cannot refresh', async () => {
      const session = await signUp()
      expect(session.expiresAt.getTime()).toBe(clock.now() + SESSION_TTL_DAYS * DAY)

      clock.set(session.expiresAt.getTime() - 60_000)
      const lastGood = await guard.authenticator.authenticate({ token: session.token, refreshToken: session.refreshToken })
      expect(lastGood.status).toBe('signed-in')
      if (lastGood.status !== 'signed-in') throw new Error('unreachable')
      expect(lastGood.issued?.claims.sid).toBe(session.sessionId)

      clock.set(session.expiresAt.getTime() + 1_000 + (TOKEN_TTL_S + 6) * 1000)
      const expired = await guard.authenticator.authenticate({ token: lastGood.issued!.token, refreshToken: session.refreshToken })
      expect(expired).toMatchObject({ status: 'signed-out', clearCookies: true })
      expect(expired.auth.userId).toBeNull()
    })
  })

  describe('a fresh database', () => {
    const freshClock = fakeClock()
    let fresh: Guard

    beforeAll(async () => {
      fresh = await createGuard({ database: await backend.freshStore(), secret: SECRET, seed: {}, now: freshClock.now })
    }, 60_000)
    afterAll(async () => { await closeWithin(() => fresh?.close()) })

    it('10 concurrent sign-ups yield exactly one admin', async () => {
      expect(await countUsers(fresh.db)).toBe(0)
      const emails = Array.from({ length: 10 }, (_, i) => newEmail(`race${i}`))
      const sessions = await Promise.all(emails.map(email => fresh.sessions.signUp({ email, password: PASSWORD })))
      const roles = sessions.map(session => session.user.roles[0]).sort()
      expect(roles).toEqual(['admin', ...Array(9).fill('member')])
      const stored = await fresh.db.query<{ roles: string[] }>('select roles from guard_users')
      expect(stored.map(row => row.roles[0]).sort()).toEqual(['admin', ...Array(9).fill('member')])
    }, 30_000)

    it('fails closed: with the database closed, a refresh answers unavailable', async () => {
      const session = await fresh.sessions.signUp({ email: newEmail('closed'), password: PASSWORD })
      const { refreshToken, token } = session
      await fresh.db.close()

      const onlyRefresh = await fresh.authenticator.authenticate({ refreshToken })
      expect(onlyRefresh.status).toBe('unavailable')
      expect(onlyRefresh.auth.userId).toBeNull()
      if (onlyRefresh.status === 'unavailable') expect(onlyRefresh.error).toBeInstanceOf(Error)

      freshClock.advance((TOKEN_TTL_S + 6) * 1000)
      const expiredAndRefresh = await fresh.authenticator.authenticate({ token, refreshToken })
      expect(expiredAndRefresh.status).toBe('unavailable')
      expect(expiredAndRefresh.auth.userId).toBeNull()
    })
  })
})

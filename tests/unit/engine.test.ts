/**
 * The engine (createGuard, LiveConfig, KeyManager, SessionService,
 * Authenticator) over a real database. Every case is defined once and runs
 * for each available backend: embedded PGlite always, and a real PostgreSQL
 * when GUARD_TEST_DATABASE_URL is set (each run in a fresh schema, dropped
 * afterwards).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { InvalidConfigError, StaleConfigVersionError } from '../../modules/guard/runtime/core/engine/live-config'
import { InvalidCredentialsError, type IssuedSession } from '../../modules/guard/runtime/core/engine/sessions'
import { openDatabase, type DatabaseOptions, type GuardDatabase } from '../../modules/guard/runtime/core/store/database'
import { EmailTakenError, countUsers } from '../../modules/guard/runtime/core/store/users'
import { listConfigVersions } from '../../modules/guard/runtime/core/store/config-versions'
import { KEY_SIGNING_WINDOW_MS } from '../../modules/guard/runtime/core/tokens/key-set'

const SECRET = randomBytes(32).toString('base64url')
const PASSWORD = 'password-123'
const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Defaults of the config schema, relied on below. */
const TOKEN_TTL_S = 60
const SKEW_MS = 5_000
const SESSION_TTL_DAYS = 7
const SEED = { claims: { template: { email: '{{user.email}}', isMfa: '{{user.two_factor_enabled}}' } } }
const REFRESH_SQL = 'update guard_sessions s set last_active_at'

interface Backend {
  name: string
  /** Options for a new, empty, isolated store. */
  freshStore(): Promise<DatabaseOptions>
  /** What a second instance passes to createGuard to reach the same store as `db` (opened from `options`). */
  sameStore(options: DatabaseOptions, db: GuardDatabase): GuardDatabase | DatabaseOptions
  cleanup(): Promise<void>
}

const pglite: Backend = {
  name: 'pglite',
  freshStore: async () => ({ dataDir: 'memory://' }),
  // An embedded database is one process: a second guard shares the open database.
  sameStore: (_options, db) => db,
  cleanup: async () => {},
}

function postgres(url: string): Backend {
  const schemas: string[] = []
  return {
    name: 'postgres',
    async freshStore() {
      const schema = `guard_test_${randomBytes(6).toString('hex')}`
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try { await admin.query(`create schema ${schema}`) }
      finally { await admin.end() }
      schemas.push(schema)
      const scoped = new URL(url)
      scoped.searchParams.set('options', `-c search_path=${schema}`)
      return { url: scoped.toString(), dataDir: '' }
    },
    sameStore: options => options,
    async cleanup() {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try { for (const schema of schemas.splice(0)) await admin.query(`drop schema if exists ${schema} cascade`) }
      finally { await admin.end() }
    },
  }
}

const backends: Backend[] = [pglite]
if (process.env.GUARD_TEST_DATABASE_URL) backends.push(postgres(process.env.GUARD_TEST_DATABASE_URL))

function fakeClock() {
  let ms = Math.floor(Date.now() / 1000) * 1000
  return {
    now: () => ms,
    advance(byMs: number) { ms += byMs },
    set(toMs: number) {
      if (toMs < ms) throw new Error('the fake clock only moves forward')
      ms = toMs
    },
  }
}

let emailCounter = 0
const newEmail = (label: string) => `${label}-${++emailCounter}-${randomBytes(3).toString('hex')}@example.test`
const kidOf = (token: string) => decodeProtectedHeader(token).kid
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Polls (in real time) until `check` holds or `timeoutMs` passes; returns whether it held. */
async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(10)
  }
  return true
}

/** Resolves to what `promise` rejected with, failing when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(value => { throw new Error(`expected a rejection, got ${JSON.stringify(value)}`) }, (error: unknown) => error)
}

/** Closes within `ms`, so a hung close never hangs the suite. */
async function closeWithin(close: () => Promise<unknown>, ms = 5_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([close().catch(() => {}), new Promise(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

describe.each(backends)('engine on $name', (backend) => {
  const clock = fakeClock()
  let storeOptions: DatabaseOptions
  let db: GuardDatabase
  let guard: Guard

  beforeAll(async () => {
    storeOptions = await backend.freshStore()
    db = await openDatabase(storeOptions)
    guard = await createGuard({ database: db, secret: SECRET, seed: SEED, now: clock.now })
  }, 60_000)

  afterAll(async () => {
    await closeWithin(() => guard?.close())
    await closeWithin(() => db?.close())
    await backend.cleanup()
  }, 30_000)

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

  describe('live config', () => {
    it('the claims template is rendered into new tokens, and a saved template is used by the next refresh', async () => {
      const session = await signUp()
      const claims = decodeJwt(session.token)
      expect(claims.email).toBe(session.user.email)
      expect(claims.isMfa).toBe(false)

      const before = guard.live.policy
      const document = { ...before.config, claims: { template: { mail: 'mailto:{{user.email}}', tier: 'gold', first: '{{user.roles}}' } } }
      const saved = await guard.live.save(document, { expectedVersion: before.version, note: 'template edit' })
      expect(saved.version).toBe(before.version + 1)
      expect(guard.live.policy).toBe(saved)

      clock.advance((TOKEN_TTL_S + 6) * 1000)
      const result = await guard.authenticator.authenticate({ token: session.token, refreshToken: session.refreshToken })
      expect(result.status).toBe('signed-in')
      if (result.status !== 'signed-in') throw new Error('unreachable')
      const next = result.issued!.claims
      expect(next.mail).toBe(`mailto:${session.user.email}`)
      expect(next.tier).toBe('gold')
      expect(next.first).toEqual(['member'])
      expect(next.email).toBeUndefined()
      expect(next.isMfa).toBeUndefined()
      expect(next.sub).toBe(session.user.id)
      expect(decodeJwt(result.issued!.token)).toEqual(next)
    })

    it('a save naming a stale version gets StaleConfigVersionError and the live version is unchanged', async () => {
      const live = guard.live.policy
      const historyBefore = await listConfigVersions(db)
      for (const expectedVersion of [live.version - 1, live.version + 1]) {
        const error = await rejectionOf(guard.live.save({ ...live.config, afterSignInUrl: '/stale' }, { expectedVersion }))
        expect(error).toBeInstanceOf(StaleConfigVersionError)
        expect(error).toMatchObject({ expected: expectedVersion, current: live.version })
      }
      expect(guard.live.policy).toBe(live)
      expect(guard.live.policy.config.afterSignInUrl).toBe('/')
      expect(await listConfigVersions(db)).toEqual(historyBefore)
    })

    it('two concurrent saves from the same version: exactly one lands', async () => {
      const live = guard.live.policy
      const outcomes = await Promise.allSettled([
        guard.live.save({ ...live.config, afterSignInUrl: '/from-a' }, { expectedVersion: live.version }),
        guard.live.save({ ...live.config, afterSignInUrl: '/from-b' }, { expectedVersion: live.version }),
      ])
      const fulfilled = outcomes.filter(outcome => outcome.status === 'fulfilled')
      const rejected = outcomes.filter(outcome => outcome.status === 'rejected')
      expect(fulfilled).toHaveLength(1)
      expect(rejected).toHaveLength(1)
      expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaleConfigVersionError)
      expect(guard.live.policy.version).toBe(live.version + 1)
      const [latest] = await listConfigVersions(db, { limit: 1 })
      expect(latest!.version).toBe(live.version + 1)
      expect((latest!.document as { afterSignInUrl: string }).afterSignInUrl).toBe(guard.live.policy.config.afterSignInUrl)
    })

    it('an invalid document gets InvalidConfigError with field issues, and the live policy is unchanged', async () => {
      const live = guard.live.policy
      const historyBefore = await listConfigVersions(db)
      const invalid = {
        ...live.config,
        routes: { ...live.config.routes, public: ['/', '/users/:id'] },
        session: { ...live.config.session, tokenTtlSeconds: 1 },
        claims: { template: { exp: 1 } },
      }
      const error = await rejectionOf(guard.live.save(invalid, { expectedVersion: live.version }))
      expect(error).toBeInstanceOf(InvalidConfigError)
      const issues = (error as InvalidConfigError).issues
      expect(issues.map(issue => issue.path).sort()).toEqual(['claims.template.exp', 'routes.public.1', 'session.tokenTtlSeconds'])
      expect(issues.find(issue => issue.path === 'routes.public.1')!.message).toContain('/users/*')
      expect(guard.live.policy).toBe(live)
      expect(await listConfigVersions(db)).toEqual(historyBefore)
    })

    it('config history is append-only: versions 1..n, earlier versions never change', async () => {
      const before = await listConfigVersions(db)
      const live = guard.live.policy
      await guard.live.save({ ...live.config, signInUrl: '/login' }, { expectedVersion: live.version, actorId: 'user_test', note: 'rename' })
      const after = await listConfigVersions(db)
      const n = guard.live.policy.version
      expect(after.map(record => record.version)).toEqual(Array.from({ length: n }, (_, i) => n - i))
      expect(after.slice(1)).toEqual(before)
      expect(after[0]).toMatchObject({ version: n, createdBy: 'user_test', note: 'rename' })
      expect((after[0]!.document as { signInUrl: string }).signInUrl).toBe('/login')
      expect(after.at(-1)).toMatchObject({ version: 1, note: 'seeded from nuxt.config.ts', createdBy: null })
      expect((after.at(-1)!.document as { claims: unknown }).claims).toEqual(SEED.claims)
    })
  })

  describe('keys', () => {
    it('about 24 h on, the next mint uses a new kid and a token of the old kid still verifies within its lifetime', async () => {
      const old = await guard.keys.signingKey()
      // Just before the rotation point (1 h before the signing window closes).
      clock.set(Math.max(clock.now(), old.signUntil - HOUR - 30_000))
      const email = newEmail('rotate')
      const before = await signUp(email)
      expect(kidOf(before.token)).toBe(old.kid)

      clock.advance(40_000) // ~23 h after the key was made: inside the rotation margin
      const after = await guard.sessions.signIn({ email, password: PASSWORD })
      const newKid = kidOf(after.token)
      expect(newKid).not.toBe(old.kid)
      expect(newKid).toMatch(/^key_/)
      const rotated = await guard.keys.signingKey()
      expect(rotated.kid).toBe(newKid)
      expect(rotated.signUntil).toBe(clock.now() + KEY_SIGNING_WINDOW_MS)

      // The old token is 40 s old: still within its 60 s lifetime, and its key still verifies.
      const result = await guard.authenticator.authenticate({ token: before.token })
      expect(result.status).toBe('signed-in')
      expect(result.auth.sessionId).toBe(before.sessionId)
      expect((await guard.authenticator.authenticate({ token: after.token })).status).toBe('signed-in')
      expect(guard.keys.keySet.jwks(clock.now()).keys.map(key => key.kid).sort()).toEqual([old.kid, newKid].sort())
      const stored = await db.query<{ kid: string }>('select kid from guard_signing_keys')
      expect(stored.map(row => row.kid)).toEqual(expect.arrayContaining([old.kid, newKid!]))

      // Past the old key's grace period, even a long-lived token of it would not verify: its key is gone.
      clock.set(old.verifyUntil + 1_000)
      expect(guard.keys.keySet.verificationKey(old.kid, clock.now())).toBeUndefined()
      expect(guard.keys.keySet.jwks(clock.now()).keys.map(key => key.kid)).toEqual([newKid])
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

  describe('two instances on one store (LISTEN/NOTIFY)', () => {
    let other: Guard

    beforeAll(async () => {
      other = await createGuard({ database: backend.sameStore(storeOptions, db), secret: SECRET, seed: {}, now: clock.now })
    }, 60_000)
    afterAll(async () => { await closeWithin(() => other?.close()) })

    it('a config saved on instance A is live on instance B shortly after', async () => {
      const version = guard.live.policy.version
      expect(other.live.policy.version).toBe(version)
      const document = { ...guard.live.policy.config, claims: { template: { origin: 'saved-on-a' } } }
      await guard.live.save(document, { expectedVersion: version })
      expect(await eventually(() => other.live.policy.version === version + 1)).toBe(true)
      expect(other.live.policy.config.claims.template).toEqual({ origin: 'saved-on-a' })

      // B mints with it at once
      const session = await other.sessions.signUp({ email: newEmail('on-b'), password: PASSWORD })
      expect(decodeJwt(session.token).origin).toBe('saved-on-a')
    })

    it('a session revoked on A is refused by B’s cache', async () => {
      const session: IssuedSession = await guard.sessions.signUp({ email: newEmail('revoke-ab'), password: PASSWORD })
      expect((await other.authenticator.authenticate({ token: session.token })).status).toBe('signed-in')
      expect(other.authenticator.fromCache(session.token)?.sessionId).toBe(session.sessionId)

      expect(await guard.revokeSession(session.sessionId)).toBe(true)
      expect(await eventually(() => other.authenticator.fromCache(session.token) === undefined)).toBe(true)
      expect(await other.authenticator.authenticate({ token: session.token })).toMatchObject({ status: 'signed-out', clearCookies: true })
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

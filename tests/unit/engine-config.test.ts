/**
 * The engine's live config and keys over a real database: the claims template
 * in minted tokens, LiveConfig saves (stale version, concurrent saves, invalid
 * documents, append-only history), and signing-key rotation. Every case runs
 * once per backend (tests/support/backends.ts).
 */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { InvalidConfigError, StaleConfigVersionError } from '../../modules/guard/runtime/core/engine/live-config'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { listConfigVersions } from '../../modules/guard/runtime/core/store/config-versions'
import { KEY_SIGNING_WINDOW_MS } from '../../modules/guard/runtime/core/tokens/key-set'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { HOUR, PASSWORD, SEED, TOKEN_TTL_S, kidOf, newEmail, rejectionOf, startEngine, stopEngine } from '../support/engine'

describe.each(testBackends())('engine on $name', (backend) => {
  const clock = fakeClock()
  let db: GuardDatabase
  let guard: Guard

  const signUp = (email = newEmail('user')) => guard.sessions.signUp({ email, password: PASSWORD })

  beforeAll(async () => {
    ({ db, guard } = await startEngine(backend, clock.now))
    // The first sign-up becomes admin; the cases below sign up members, as on a store that has its admin.
    await signUp(newEmail('admin'))
  }, 60_000)
  afterAll(() => stopEngine(backend, { guard, db }), 30_000)

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
})

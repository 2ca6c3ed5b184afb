/**
 * Live claims (issue 11): a save that changes the claims template or the
 * roles map, and an admin's change of a user's roles, metadata or factors,
 * reach the next request of every affected session on every instance. The
 * hot path stays a cache hit plus a comparison; the work (one read, one
 * signature) happens once per session per change. Runs once per backend; on
 * PostgreSQL the second instance is a real second connection (LISTEN/NOTIFY).
 */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import type { PresentedTokens } from '../../modules/guard/runtime/core/engine/authenticator'
import { ClaimsEpochs, EPOCHS_CLAIM } from '../../modules/guard/runtime/core/engine/claims-epochs'
import { parseClaimsPayload } from '../../modules/guard/runtime/core/engine/instance-sync'
import { setUserRoles } from '../../modules/guard/runtime/core/store/users'
import { deleteAllFactors, insertFactor } from '../../modules/guard/runtime/core/store/factors'
import type { DatabaseOptions, GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, REFRESH_SQL, SECRET, closeWithin, eventually, newEmail, startEngine, stopEngine } from '../support/engine'

const SAVES = 50

/** A signed-in browser: its cookies, updated from every answer as the h3 layer would. */
async function signedIn(guard: Guard, label: string) {
  const session = await guard.sessions.signUp({ email: newEmail(label), password: PASSWORD })
  const cookies: Required<Pick<PresentedTokens, 'token' | 'refreshToken'>> = { token: session.token, refreshToken: session.refreshToken }
  return {
    session,
    cookies,
    /** One request through `on`: hot path first, as judgeRequest does. */
    async request(on: Guard) {
      const hot = on.authenticator.fromCache(cookies.token)
      if (hot) return { auth: hot, reminted: false }
      const result = await on.authenticator.authenticate({ ...cookies, tokenSource: 'cookie' })
      if (result.status === 'signed-in' && result.issued) cookies.token = result.issued.token
      return { auth: result.auth, reminted: result.status === 'signed-in' && Boolean(result.issued), status: result.status }
    },
  }
}

describe('ClaimsEpochs', () => {
  const policy = (version: number, template: Record<string, string>, roles: Record<string, string[]> = {}) =>
    ({ version, config: { claims: { template }, roles } }) as any
  const claims = (cep?: [number, number]) => ({ sub: 'user_1', sid: 's', iss: 'nuxt-guard', iat: 0, exp: 0, roles: [], ...(cep ? { [EPOCHS_CLAIM]: cep } : {}) })

  it('a config version stales older tokens only when the claims template or roles map changed', () => {
    const epochs = new ClaimsEpochs(policy(3, { a: '{{user.email}}' }), () => 0)
    expect(epochs.isStale(claims([3, 0]))).toBe(false)
    expect(epochs.isStale(claims([2, 0]))).toBe(true) // from before start-up: re-minted once
    epochs.notePolicy(policy(4, { a: '{{user.email}}' })) // a route edit
    expect(epochs.isStale(claims([3, 0]))).toBe(false)
    epochs.notePolicy(policy(5, { a: '{{user.email}}' }, { member: ['x:read'] }))
    expect(epochs.isStale(claims([4, 0]))).toBe(true)
    expect(epochs.isStale(claims([5, 0]))).toBe(false)
  })

  it('a user epoch stales that user’s older tokens only; a token without `cep` is stale', () => {
    const epochs = new ClaimsEpochs(policy(1, {}), () => 0)
    epochs.noteUser('user_1', 2)
    epochs.noteUser('user_1', 1) // a late, older notification changes nothing
    expect(epochs.userEpoch('user_1')).toBe(2)
    expect(epochs.isStale(claims([1, 1]))).toBe(true)
    expect(epochs.isStale(claims([1, 2]))).toBe(false)
    expect(epochs.isStale({ ...claims([1, 0]), sub: 'user_2' })).toBe(false)
    expect(epochs.isStale(claims())).toBe(true)
    expect(parseClaimsPayload('user_1 7')).toEqual({ userId: 'user_1', epoch: 7 })
    expect(parseClaimsPayload('garbage')).toBeUndefined()
  })
})

describe.each(testBackends())('live claims on $name', (backend) => {
  const clock = fakeClock()
  let storeOptions: DatabaseOptions
  let db: GuardDatabase
  let guard: Guard
  let other: Guard

  beforeAll(async () => {
    ({ storeOptions, db, guard } = await startEngine(backend, clock.now))
    other = await createGuard({ database: backend.sameStore(storeOptions, db), secret: SECRET, seed: {}, now: clock.now })
  }, 90_000)
  afterAll(async () => {
    await closeWithin(() => other?.close())
    await stopEngine(backend, { guard, db })
  }, 30_000)

  const saveTemplate = (on: Guard, template: Record<string, unknown>) =>
    on.live.save({ ...on.live.policy.config, claims: { template } }, { expectedVersion: on.live.policy.version })

  it(`${SAVES} saves alternating a claim value: the member's next request always carries the saved value (one re-mint per save)`, async () => {
    const member = await signedIn(guard, 'stale')
    const query = vi.spyOn(db, 'query')
    const refreshes = () => query.mock.calls.filter(([sql]) => String(sql).trimStart().startsWith(REFRESH_SQL)).length
    let stale = 0
    let reminted = 0
    for (let save = 1; save <= SAVES; save++) {
      const plan = save % 2 ? 'pro' : 'free'
      await saveTemplate(guard, { email: '{{user.email}}', plan })
      const first = await member.request(guard)
      if (first.auth.sessionClaims?.plan !== plan) stale++
      if (first.reminted) reminted++
      // The following requests are cache hits with the new claims: no read, no signature.
      const again = await member.request(guard)
      expect(again.reminted).toBe(false)
      expect(again.auth.sessionClaims?.plan).toBe(plan)
    }
    const reads = refreshes()
    query.mockRestore()
    console.info(`[live-claims ${backend.name}] ${SAVES} template saves, ${stale} stale, ${reminted} re-mints, ${reads} refresh reads`)
    expect(stale).toBe(0)
    expect(reminted).toBe(SAVES)
    expect(reads).toBe(SAVES)
  })

  it('a save that leaves the template and roles alone re-mints nothing', async () => {
    const member = await signedIn(guard, 'route-edit')
    await member.request(guard)
    const config = guard.live.policy.config
    await guard.live.save({ ...config, routes: { ...config.routes, public: [...config.routes.public, '/route-edit'] } }, { expectedVersion: guard.live.policy.version })
    expect((await member.request(guard)).reminted).toBe(false)
  })

  it('concurrent requests of one stale session share one re-mint', async () => {
    const member = await signedIn(guard, 'concurrent')
    await saveTemplate(guard, { email: '{{user.email}}', plan: 'concurrent' })
    const refresh = vi.spyOn(guard.sessions, 'refresh')
    const results = await Promise.all(Array.from({ length: 5 }, () => guard.authenticator.authenticate({ ...member.cookies, tokenSource: 'cookie' })))
    expect(refresh).toHaveBeenCalledTimes(1)
    refresh.mockRestore()
    expect(results.every(result => result.auth.sessionClaims?.plan === 'concurrent')).toBe(true)
  })

  it(`${SAVES} saves through A, each followed at once by the member's request through B: zero stale`, async () => {
    const member = await signedIn(other, 'two-instances')
    await member.request(other)
    let stale = 0
    for (let save = 1; save <= SAVES; save++) {
      const plan = `b-${save}`
      const saved = await saveTemplate(guard, { email: '{{user.email}}', plan })
      // As soon as B has heard of the version (it may still be reading it), the member asks B.
      expect(await eventually(() => other.live.behind || other.live.policy.version >= saved.version, 5_000)).toBe(true)
      const answer = await member.request(other)
      if (answer.auth.sessionClaims?.plan !== plan) stale++
    }
    console.info(`[live-claims ${backend.name}] ${SAVES} saves on A, requests on B: ${stale} stale`)
    expect(stale).toBe(0)
  })

  it('a role removed through A: the member’s next request through B carries the new roles; granted: carries them again', async () => {
    const member = await signedIn(guard, 'roles')
    const userId = member.session.user.id
    await setUserRoles(db, userId, ['member', 'billing']).then(updated => guard.claimsChanged(userId, updated!.claimsEpoch))
    await eventually(() => other.authenticator.epochs.userEpoch(userId) >= 1, 5_000)
    expect((await member.request(other)).auth.roles).toEqual(['member', 'billing'])
    expect((await member.request(other)).auth.has({ role: 'billing' })).toBe(true)

    const removed = await setUserRoles(db, userId, ['member'])
    const epoch = await guard.claimsChanged(userId, removed!.claimsEpoch)
    expect(await eventually(() => other.authenticator.epochs.userEpoch(userId) === epoch, 5_000)).toBe(true)
    const next = await member.request(other)
    expect(next.reminted).toBe(true)
    expect(next.auth.has({ role: 'billing' })).toBe(false)
    expect(decodeJwt(member.cookies.token)[EPOCHS_CLAIM]).toEqual([guard.live.policy.version, epoch])
  })

  it('a factor reset reaches the token: the mfa claim lists no enrolled factor from the next request', async () => {
    const member = await signedIn(guard, 'reset')
    const userId = member.session.user.id
    await insertFactor(db, { id: `fac_${userId}`, userId, type: 'email_code', label: 'e***@x', now: new Date(clock.now()) })
    await db.query('update guard_factors set confirmed_at = now() where user_id = $1', [userId])
    await guard.claimsChanged(userId)
    expect((await member.request(guard)).auth.sessionClaims?.mfa?.e).toEqual(['email_code'])
    await deleteAllFactors(db, userId)
    await guard.claimsChanged(userId)
    expect((await member.request(guard)).auth.sessionClaims?.mfa?.e).toEqual([])
  })

  it('a Bearer token that cannot be re-minted is judged by the server’s fresh view of its session, once; a revoked session is signed out', async () => {
    const member = await signedIn(guard, 'bearer')
    const bearer: PresentedTokens = { token: member.session.token, tokenSource: 'bearer' }
    await saveTemplate(guard, { email: '{{user.email}}', plan: 'bearer-view' })
    const reissue = vi.spyOn(guard.sessions, 'reissue')
    const first = await guard.authenticator.authenticate(bearer)
    expect(first).toMatchObject({ status: 'signed-in' })
    expect(first.status === 'signed-in' && first.issued).toBeFalsy() // the holder keeps its token
    expect(first.auth.sessionClaims?.plan).toBe('bearer-view')
    expect(first.auth.sessionClaims?.exp).toBe(decodeJwt(member.session.token).exp) // still ends when the token does
    // Cached against the token: the next request is a hit.
    expect(guard.authenticator.fromCache(member.session.token)?.sessionClaims?.plan).toBe('bearer-view')
    expect(reissue).toHaveBeenCalledTimes(1)
    reissue.mockRestore()

    await saveTemplate(guard, { email: '{{user.email}}', plan: 'after-revoke' })
    await guard.revokeSession(member.session.sessionId)
    expect(await guard.authenticator.authenticate(bearer)).toMatchObject({ status: 'signed-out' })
  })

  it('an instance started after a user change still re-mints that user’s older tokens (catch-up read)', async () => {
    const member = await signedIn(guard, 'late-start')
    const userId = member.session.user.id
    const updated = await setUserRoles(db, userId, ['member', 'billing'])
    // No notification reaches the newcomer: it reads the recent epochs at start-up.
    const late = await createGuard({ database: backend.sameStore(storeOptions, db), secret: SECRET, seed: {}, now: clock.now })
    try {
      expect(late.authenticator.epochs.userEpoch(userId)).toBe(updated!.claimsEpoch)
      const answer = await member.request(late)
      expect(answer.auth.roles).toEqual(['member', 'billing'])
    }
    finally { await closeWithin(() => late.close()) }
  })
})

/**
 * An outage of storage or keys, in process through the real h3 handlers (the
 * guard middleware, sign-up, session, health): 503 `temporarily_unavailable`
 * with Retry-After in the documented shape, never a bare 500 and never "not
 * signed in" for credentials that could not be checked; health says `ok`,
 * `degraded` (listener reconnecting) or `unavailable`.
 */
import { createServer, type Server } from 'node:http'
import { randomBytes } from 'node:crypto'
import { createApp, createRouter, toNodeListener } from 'h3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readyGuard, startGuard, type GuardRuntimeConfig } from '../../modules/guard/runtime/server/utils/guard-instance'
import { guardMiddleware } from '../../modules/guard/runtime/server/utils/guard-middleware'
import { isUnavailableError } from '../../modules/guard/runtime/server/utils/errors'
import health from '../../modules/guard/runtime/server/api/_guard/health.get'
import session from '../../modules/guard/runtime/server/api/_guard/session.get'
import signUp from '../../modules/guard/runtime/server/api/_guard/sign-up.post'
import signIn from '../../modules/guard/runtime/server/api/_guard/sign-in.post'

const settings = (overrides: Partial<GuardRuntimeConfig>) => ({
  secret: randomBytes(32).toString('base64url'), databaseUrl: '', dataDir: 'memory://', smtpUrl: '', mfaTokenTtl: 0,
  debug: false, cookieSecure: false, seed: {}, allowedOrigins: [], ...overrides,
}) as GuardRuntimeConfig

let server: Server
let origin: string

beforeAll(async () => {
  const router = createRouter()
    .get('/api/_guard/health', health)
    .get('/api/_guard/session', session)
    .post('/api/_guard/sign-up', signUp)
    .post('/api/_guard/sign-in', signIn)
  const app = createApp().use(guardMiddleware()).use(router)
  server = createServer(toNodeListener(app))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})
afterAll(async () => {
  await readyGuard()?.close()
  await new Promise(resolve => server.close(resolve))
})

const send = (path: string, init: { json?: unknown; cookie?: string } = {}) => fetch(`${origin}${path}`, {
  method: init.json ? 'POST' : 'GET',
  headers: { ...(init.json ? { 'content-type': 'application/json' } : {}), ...(init.cookie ? { cookie: init.cookie } : {}) },
  body: init.json ? JSON.stringify(init.json) : undefined,
})

/** The documented 503: `{ error: 'temporarily_unavailable', error_description }`, `Retry-After: 5`. */
async function expectUnavailable(response: Response): Promise<void> {
  const text = await response.text()
  expect({ status: response.status, text }).toMatchObject({ status: 503 })
  expect(response.headers.get('retry-after')).toBe('5')
  expect(response.headers.get('cache-control')).toBe('no-store')
  expect(JSON.parse(text)).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) })
}

/** `name=value` of the refresh cookie a response set (the session token left out, as if it had expired). */
function refreshCookie(response: Response): string {
  const line = response.headers.getSetCookie().find(cookie => cookie.split('=')[0]!.includes('refresh'))
  if (!line) throw new Error(`no refresh cookie in ${response.headers.getSetCookie().join(' | ')}`)
  return line.split(';')[0]!
}

const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' })

describe('isUnavailableError', () => {
  it('recognises connection loss, shutdown and exhaustion, wrapped or not', () => {
    const pgError = (code: string) => Object.assign(new Error('x'), { code, severity: 'FATAL' })
    for (const error of [
      connectionRefused(),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      pgError('57P01'), pgError('57P03'), pgError('08006'), pgError('08001'), pgError('53300'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') }),
      new Error('PGlite is closed'),
      new AggregateError([connectionRefused(), connectionRefused()], ''),
      new Error('refresh failed', { cause: connectionRefused() }),
    ]) expect(isUnavailableError(error), String((error as Error).message || (error as { code?: string }).code)).toBe(true)
  })

  it('leaves bugs and bad data alone', () => {
    const pgError = (code: string) => Object.assign(new Error('x'), { code })
    for (const error of [new TypeError('x is undefined'), pgError('23505'), pgError('42P01'), pgError('22P02'), new Error('ClaimsTooLarge'), undefined, 'text'])
      expect(isUnavailableError(error)).toBe(false)
  })
})

describe('a guard that could not start (its database refuses connections)', () => {
  beforeAll(async () => {
    await expect(startGuard(settings({ databaseUrl: 'postgres://guard@127.0.0.1:9/unreachable' }), randomBytes(32).toString('base64url'))).rejects.toThrow()
  })

  it('answers 503 on sign-in, sign-up and /session with credentials, not 500 or 401', async () => {
    await expectUnavailable(await send('/api/_guard/sign-up', { json: { email: 'a@b.test', password: 'correct horse battery' } }))
    await expectUnavailable(await send('/api/_guard/sign-in', { json: { email: 'a@b.test', password: 'correct horse battery' } }))
    await expectUnavailable(await send('/api/_guard/session', { cookie: 'guard_session=x.y.z; guard_refresh=abc' }))
  })

  it('still tells an anonymous visitor "not signed in" (nothing was left unchecked)', async () => {
    expect((await send('/api/_guard/session')).status).toBe(401)
  })

  it('health: 503 unavailable', async () => {
    const response = await send('/api/_guard/health')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(await response.json()).toMatchObject({ status: 'unavailable', database: { ok: false }, keys: { ok: false } })
  })
})

describe('a running guard on PGlite', () => {
  let refresh: string

  beforeAll(async () => {
    await startGuard(settings({}), randomBytes(32).toString('base64url'))
    const signedUp = await send('/api/_guard/sign-up', { json: { email: 'owner@unavailable.test', password: 'correct horse battery' } })
    expect(signedUp.status).toBe(200)
    refresh = refreshCookie(signedUp)
  }, 60_000) // PGlite starts in a few seconds, longer on a busy machine

  it('health: 200 ok with the database latency, keys and listener; not cached', async () => {
    const response = await send('/api/_guard/health')
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = await response.json()
    expect(body).toMatchObject({ status: 'ok', database: { ok: true, latencyMs: expect.any(Number) }, keys: { ok: true }, listener: { state: 'connected', since: expect.any(String), attempts: 0 } })
    expect(Object.keys(body).sort()).toEqual(['database', 'keys', 'listener', 'status'])
  })

  it('health: 200 degraded while the listener reconnects (serving meanwhile), its error without credentials', async () => {
    const guard = readyGuard()!
    const real = guard.listenerStatus
    guard.listenerStatus = () => ({ state: 'reconnecting', sinceMs: Date.now() - 3_000, attempts: 4, lastError: 'connect ECONNREFUSED for postgres://guard:hunter2@db:5432/app', nextAttemptAtMs: Date.now() + 2_000 })
    try {
      const response = await send('/api/_guard/health')
      expect(response.status).toBe(200)
      const body = await response.json()
      expect(body).toMatchObject({ status: 'degraded', database: { ok: true }, listener: { state: 'reconnecting', attempts: 4 } })
      expect(JSON.stringify(body)).not.toContain('hunter2')
    }
    finally { guard.listenerStatus = real }
  })

  it('with the database unreachable: sign-up and sign-in answer 503, /session with a refresh cookie 503 (not 401), health 503', async () => {
    const db = readyGuard()!.db
    const { query, transaction } = db
    Object.assign(db, { query: async () => { throw connectionRefused() }, transaction: async () => { throw connectionRefused() } })
    try {
      await expectUnavailable(await send('/api/_guard/sign-up', { json: { email: 'second@unavailable.test', password: 'correct horse battery' } }))
      await expectUnavailable(await send('/api/_guard/sign-in', { json: { email: 'owner@unavailable.test', password: 'correct horse battery' } }))
      await expectUnavailable(await send('/api/_guard/session', { cookie: refresh }))
      const probe = await send('/api/_guard/health')
      expect(probe.status).toBe(503)
      expect(await probe.json()).toMatchObject({ status: 'unavailable', database: { ok: false, latencyMs: null }, keys: { ok: true } })
    }
    finally { Object.assign(db, { query, transaction }) }
    // Back: the same refresh cookie signs in again.
    expect((await send('/api/_guard/session', { cookie: refresh })).status).toBe(200)
    expect((await send('/api/_guard/health')).status).toBe(200)
  })

  it('bugs are not disguised as outages: a rejected sign-in stays 401', async () => {
    const response = await send('/api/_guard/sign-in', { json: { email: 'owner@unavailable.test', password: 'wrong password entirely' } })
    expect(response.status).toBe(401)
  })
})

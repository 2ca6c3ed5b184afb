/**
 * Client addresses behind a reverse proxy: the `trustProxy` setting, and the
 * real sign-in handler in process over HTTP — with `trustProxy: 1` one
 * client's failures (X-Forwarded-For A) do not stop another client's
 * (X-Forwarded-For B) correct sign-in; without it a forged X-Forwarded-For is
 * ignored, so rotating it does not dodge the per-client limit.
 */
import { createServer, type Server } from 'node:http'
import { randomBytes } from 'node:crypto'
import { createApp, createRouter, toNodeListener } from 'h3'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { forwardedChain, parseTrustProxy, resolveClientAddress } from '../../modules/guard/runtime/core/network/trust-proxy'
import { guardSettings, readyGuard, startGuard, type GuardRuntimeConfig } from '../../modules/guard/runtime/server/utils/guard-instance'
import signUp from '../../modules/guard/runtime/server/api/_guard/sign-up.post'
import signIn from '../../modules/guard/runtime/server/api/_guard/sign-in.post'
import { SIGN_IN_LIMITS } from '../../modules/guard/runtime/core/engine/sign-in-throttle'

vi.setConfig({ testTimeout: 120_000 })

describe('trustProxy', () => {
  const resolve = (peer: string, xff: string | undefined, setting: Parameters<typeof parseTrustProxy>[0]) =>
    resolveClientAddress(peer, forwardedChain(xff, undefined), parseTrustProxy(setting))

  it('ignores forwarded headers unless the direct peer is trusted', () => {
    expect(resolve('203.0.113.5', '198.51.100.1', undefined)).toBe('203.0.113.5')
    expect(resolve('203.0.113.5', '198.51.100.1', '10.0.0.0/8')).toBe('203.0.113.5')
    expect(resolve('::ffff:10.0.0.2', '198.51.100.1', '10.0.0.0/8')).toBe('198.51.100.1')
  })

  it('a hop count reads only the entries the trusted proxies wrote, never what the client prepended', () => {
    expect(resolve('10.0.0.2', 'forged-by-client, 1.2.3.4, 198.51.100.1', 1)).toBe('198.51.100.1')
    expect(resolve('10.0.0.2', '1.2.3.4, 198.51.100.1, 10.0.0.9', 2)).toBe('198.51.100.1')
    expect(resolve('10.0.0.2', undefined, 1)).toBe('10.0.0.2')
  })

  it('a CIDR list walks left past trusted proxies to the first untrusted address; both combine', () => {
    expect(resolve('10.0.0.2', '1.2.3.4, 198.51.100.1, 10.1.1.1', '10.0.0.0/8')).toBe('198.51.100.1')
    expect(resolve('10.0.0.2', '1.2.3.4, 198.51.100.1, 172.16.0.1', ['10.0.0.0/8', '172.16.0.0/12'])).toBe('198.51.100.1')
    expect(resolve('fd00::1', '[2001:db8::7]:443', 'fd00::/8')).toBe('2001:db8::7')
    expect(resolve('10.0.0.2', '1.2.3.4, 198.51.100.1, 192.0.2.1', '1, 10.0.0.0/8')).toBe('192.0.2.1')
    expect(resolveClientAddress('10.0.0.2', forwardedChain(undefined, 'for=198.51.100.1;proto=https, for="[2001:db8::1]"'), parseTrustProxy(1))).toBe('2001:db8::1')
  })

  it('refuses a setting it cannot read, and `true`', () => {
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/10\.0\.0\.0\/33/)
    expect(() => parseTrustProxy('proxy.internal')).toThrow(/hop count/)
    expect(() => parseTrustProxy(true)).toThrow(/not accepted/)
    expect(parseTrustProxy('')).toMatchObject({ hops: 0 })
  })
})

describe('the sign-in handler behind a proxy (in process, over HTTP)', () => {
  let server: Server
  let origin: string
  // A passphrase the new-password check accepts (password-123 is refused as common).
  const password = 'correct horse battery'
  const email = `ada-${randomBytes(3).toString('hex')}@example.test`

  beforeAll(async () => {
    await startGuard({
      secret: randomBytes(32).toString('base64url'), databaseUrl: '', dataDir: 'memory://', smtpUrl: '', mfaTokenTtl: 0,
      debug: false, cookieSecure: false, seed: {}, allowedOrigins: [], trustProxy: 0,
    } as GuardRuntimeConfig, randomBytes(32).toString('base64url'))
    const router = createRouter().post('/api/_guard/sign-up', signUp).post('/api/_guard/sign-in', signIn)
    server = createServer(toNodeListener(createApp().use(router)))
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    const created = await post('/api/_guard/sign-up', { email, password })
    expect(created.status).toBe(200)
  }, 60_000)
  afterAll(async () => {
    await readyGuard()?.close()
    await new Promise(done => server.close(done))
  })

  function post(path: string, json: unknown, headers: Record<string, string> = {}) {
    return fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(json) })
  }
  const signInAs = (forwardedFor: string, pass: string) => post('/api/_guard/sign-in', { email, password: pass }, { 'x-forwarded-for': forwardedFor })

  it('20 failed sign-ins for made-up addresses from one client do not refuse its correct sign-in (issue 10, 6a)', async () => {
    guardSettings().trustProxy = 0
    for (let i = 0; i < 20; i++) expect((await post('/api/_guard/sign-in', { email: `nobody-${i}@example.test`, password: 'guess' })).status).toBe(401)
    expect((await post('/api/_guard/sign-in', { email, password })).status).toBe(200)
  })

  it('trustProxy: 1 — client A\'s failures throttle A only; client B\'s correct sign-in gets in', async () => {
    guardSettings().trustProxy = 1
    const statuses = []
    for (let i = 0; i < SIGN_IN_LIMITS.pair.limit + 1; i++) statuses.push((await signInAs('198.51.100.10', 'wrong')).status)
    expect(statuses).toEqual([...Array(SIGN_IN_LIMITS.pair.limit).fill(401), 429])
    const refused = await signInAs('198.51.100.10', password)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800)
    expect(await refused.json()).toMatchObject({ error: 'too_many_attempts', retryAfterSeconds: expect.any(Number) })
    const other = await signInAs('198.51.100.20', password)
    expect(other.status).toBe(200)
    expect(other.headers.getSetCookie().some(cookie => cookie.startsWith('guard_known='))).toBe(true)
  })

  it('without trustProxy a forged X-Forwarded-For is ignored: rotating it does not dodge the per-client limit', async () => {
    guardSettings().trustProxy = 0
    const statuses = []
    for (let i = 0; i < SIGN_IN_LIMITS.pair.limit + 1; i++) statuses.push((await signInAs(`203.0.113.${i + 1}`, 'wrong')).status)
    expect(statuses).toEqual([...Array(SIGN_IN_LIMITS.pair.limit).fill(401), 429])
    expect((await signInAs('192.0.2.200', password)).status).toBe(429)
  })

  it('a browser that completed a sign-in before is not refused on its account because of others\' failures', async () => {
    // The direct peer (127.0.0.1) is throttled for this account now (the case before); a known-device cookie still gets in.
    guardSettings().trustProxy = 1
    const first = await signInAs('198.51.100.30', password)
    const known = first.headers.getSetCookie().find(cookie => cookie.startsWith('guard_known='))!.split(';')[0]!
    guardSettings().trustProxy = 0
    expect((await signInAs('192.0.2.201', password)).status).toBe(429)
    const withDevice = await post('/api/_guard/sign-in', { email, password }, { cookie: known })
    expect(withDevice.status).toBe(200)
  })
})

/**
 * The guard's server middleware in process (real h3 app, real node:http
 * server, real guard on PGlite; see tests/support/h3-app.ts), from the
 * attacker's and the user's side: default deny (302 to sign-in for pages,
 * 401 JSON for APIs), public and ignored routes, every spelling of a path
 * judged as strictly as its plainest reading, 400 for malformed encoding,
 * forged, expired and foreign tokens refused, headers that try to make it
 * skip, and a route that wants a second factor. The statuses and bodies are
 * those of tests/e2e/guard.test.ts and attacks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, base64url, decodeJwt, generateKeyPair } from 'jose'
import { mintSessionToken } from '../../modules/guard/runtime/core/tokens/session-token'
import { BASIC_ROUTES, BASIC_SEED, answerOf, startGuardApp, type AppClient, type GuardApp } from '../support/h3-app'

let app: GuardApp
let admin: AppClient
let member: AppClient

beforeAll(async () => {
  app = await startGuardApp({
    seed: {
      ...BASIC_SEED,
      // One route that wants a second factor (MFA enforced by rule, not for everyone).
      routes: { ...BASIC_ROUTES, rules: [...BASIC_ROUTES.rules, { pattern: '/vault/**', require: { mfa: true } }, { pattern: '/api/vault/**', require: { mfa: true } }] },
      mfa: { enforce: 'rules' },
    },
  })
  admin = app.client()
  member = app.client()
  expect((await admin.signUp('admin@h3-middleware.test')).status).toBe(200)
  expect((await member.signUp('member@h3-middleware.test')).status).toBe(200)
}, 60_000)
afterAll(async () => { await app?.close() })

/** The member's session token alone (no refresh cookie to fall back on). */
const memberToken = () => member.cookies.get('guard_session')!
const withToken = (token: string) => ({ headers: { cookie: `guard_session=${token}` } })

describe('default deny', () => {
  it('an anonymous page request: 302 to sign-in with the path and query to return to', async () => {
    const response = await app.request('/dashboard?tab=1')
    expect(response.status).toBe(302)
    expect(response.headers.location).toBe('/sign-in?redirect_url=%2Fdashboard%3Ftab%3D1')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(answerOf(response).served).toBe(false)
  })

  it('an anonymous form POST to a page: 303 (the browser follows with a GET)', async () => {
    const response = await app.request('/dashboard', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })
    expect([response.status, response.headers.location]).toEqual([303, '/sign-in?redirect_url=%2Fdashboard'])
  })

  it('an anonymous API request: 401 JSON { error, error_description }, never a redirect', async () => {
    const response = await app.request('/api/secret')
    expect(response.status).toBe(401)
    expect(response.headers.location).toBeUndefined()
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.json()).toEqual({ error: 'unauthenticated', error_description: expect.any(String) })
  })

  it('a route no list names is protected', async () => {
    expect(answerOf(await app.request('/some/page/nobody/listed'))).toMatchObject({ status: 302, to: '/sign-in', served: false })
    expect(answerOf(await app.request('/api/not-listed-anywhere'))).toMatchObject({ status: 401, error: 'unauthenticated', served: false })
  })

  it('a signed-in user is let through, and the handler sees who it is', async () => {
    const page = answerOf(await member.send('/dashboard'))
    expect(page).toMatchObject({ status: 200, served: true })
    const api = await member.send('/api/secret')
    expect(api.json()).toMatchObject({ served: '/api/secret', userId: expect.stringMatching(/^user_/) })
  })

  it('roles and permissions: a member gets 403 forbidden, the admin is served', async () => {
    expect(answerOf(await member.send('/admin/secret'))).toMatchObject({ status: 403, error: 'forbidden', served: false })
    const report = await member.send('/api/reports/summary')
    expect(report.status).toBe(403)
    expect(report.json()).toMatchObject({ error: 'forbidden', error_description: expect.stringContaining('reports:read') })
    expect(answerOf(await admin.send('/admin/secret'))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await admin.send('/api/reports/summary'))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await member.send('/api/data/export')).status).toBe(403)
    expect(answerOf(await admin.send('/api/data/export')).status).toBe(200)
  })
})

describe('public and ignored routes', () => {
  it('a public page and API are served to anyone; signed in, the handler still sees the user', async () => {
    expect(answerOf(await app.request('/public/info'))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await app.request('/'))).toMatchObject({ status: 200, served: true })
    expect((await app.request('/api/public/ping')).json()).toMatchObject({ served: '/api/public/ping', userId: null })
    expect((await member.send('/api/public/ping')).json().userId).toMatch(/^user_/)
  })

  it('an ignored route gets no auth work at all: no user resolved, no cookie set, even with a stale token', async () => {
    const response = await app.request('/health', withToken('not-a-token'))
    expect(response.json()).toEqual({ served: '/health', userId: null, authResolved: false })
    expect(response.headers['set-cookie']).toBeUndefined()
  })
})

describe('every spelling of a path is judged as strictly as its plainest reading', () => {
  // plain path → spellings a router, a proxy or a framework may read as it
  const spellings: Record<string, string[]> = {
    '/admin': ['/%61dmin', '/%41DMIN', '/ADMIN', '/Admin', '/admin/', '//admin', '/admin;x', '/admin;x=1', '/admin%2f..', '/admin%2F..', '/public/../admin', '/public/..%2Fadmin', '/public/%2e%2e/admin'],
    '/admin/secret': [
      '/ADMIN/SECRET', '/%61dmin/secret', '/admin%2Fsecret', '/admin%2fsecret', '/admin%252Fsecret', '//admin/secret', '///admin//secret',
      '/./admin/secret', '/admin/./secret', '/admin;jsessionid=x/secret', '/admin/secret;jsessionid=x', '/public;x=1/../admin/secret',
      // (`\admin\secret`, which does not start with `/`, never reaches h3: Node's HTTP server answers 400 itself.)
      '/public\\..\\admin/secret', '/public%5C..%5Cadmin/secret', '/public/%2E%2E%2Fadmin%2Fsecret',
    ],
    '/api/secret': ['/API/SECRET', '/api/secret/', '/api//secret', '/api/public/../secret', '/api/public/..%2Fsecret', '/api/public%2F..%2Fsecret', '/api/_guard/../secret', '/api/_guard/..%2Fsecret', '/sign-in/../api/secret'],
    '/api/reports/summary': ['/api/reports;x/summary', '/API/Reports/Summary', '/api/public/../reports/summary'],
    '/api/data/export': ['/api/data%2Fexport', '/api/DATA/EXPORT'],
  }
  const cases = Object.entries(spellings).flatMap(([plain, variants]) => variants.map(variant => [variant, plain] as const))

  it.each(cases)('%s (plainly %s): anonymous, member and admin get the plain path\'s answer', async (variant, plain) => {
    for (const [who, send] of [['anonymous', app.request], ['member', member.send.bind(member)], ['admin', admin.send.bind(admin)]] as const) {
      const strict = answerOf(await send(plain))
      const spelled = answerOf(await send(variant))
      if (strict.served) {
        // The plain path is open to this user; a spelling of it may be read as less (or 404 by a router), never as more.
        expect(spelled.status, `${who} ${variant}`).not.toBeGreaterThanOrEqual(500)
        continue
      }
      expect({ status: spelled.status, error: spelled.error, to: spelled.to, served: spelled.served }, `${who} ${variant}`)
        .toEqual({ status: strict.status, error: strict.error, to: strict.to, served: false })
    }
  })

  it('the plain paths themselves: anonymous 302/401, a member 403, the admin served', async () => {
    expect(answerOf(await app.request('/admin'))).toMatchObject({ status: 302, to: '/sign-in' })
    expect(answerOf(await member.send('/admin'))).toMatchObject({ status: 403, error: 'forbidden' })
    expect(answerOf(await admin.send('/admin'))).toMatchObject({ status: 200, served: true })
  })

  it('malformed percent-encoding, NUL and overlong UTF-8: 400 invalid_request, for anyone', async () => {
    for (const path of ['/admin/%zz', '/api/secret%', '/api/secret%0', '/api/secret%00', '/public/%00/../../api/secret', '/%C0%AFapi/secret', '/public/%E0%A4%A']) {
      for (const send of [app.request, admin.send.bind(admin)]) {
        const response = await send(path)
        expect(response.status, path).toBe(400)
        expect(response.json(), path).toEqual({ error: 'invalid_request', error_description: expect.any(String) })
      }
    }
  })
})

describe('forged, expired and foreign session tokens are refused', () => {
  const claimsOfMember = () => decodeJwt(memberToken()) as Record<string, unknown> & { sub: string; sid: string; roles: string[] }

  it('the member\'s real token alone opens the API (the control for the refusals below)', async () => {
    expect(answerOf(await app.request('/api/secret', withToken(memberToken())))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await app.request('/api/secret', { headers: { authorization: `Bearer ${memberToken()}` } }))).toMatchObject({ status: 200, served: true })
  })

  it('alg: none, claiming the admin role', async () => {
    const forged = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ ...claimsOfMember(), roles: ['admin'] }))}.`
    expect(answerOf(await app.request('/api/secret', withToken(forged)))).toMatchObject({ status: 401, error: 'unauthenticated' })
    expect(answerOf(await app.request('/api/secret', { headers: { authorization: `Bearer ${forged}` } }))).toMatchObject({ status: 401 })
    expect(answerOf(await app.request('/admin/secret', withToken(forged)))).toMatchObject({ status: 302, to: '/sign-in' })
  })

  it('HS256 signed with the published public key as the secret', async () => {
    const jwk = (await app.request('/api/_guard/jwks.json')).json().keys[0]
    for (const secret of [JSON.stringify(jwk), `${jwk.x}${jwk.y}`]) {
      const forged = await new SignJWT({ ...claimsOfMember(), roles: ['admin'] }).setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'JWT' }).sign(new TextEncoder().encode(secret))
      expect(answerOf(await app.request('/admin/secret', withToken(forged)))).toMatchObject({ status: 302, to: '/sign-in', served: false })
    }
  })

  it('signed by a key the server never issued, under an unknown kid and under the real kid', async () => {
    const jwk = (await app.request('/api/_guard/jwks.json')).json().keys[0]
    const { privateKey } = await generateKeyPair('ES256')
    for (const kid of ['attacker-key', jwk.kid]) {
      const forged = await new SignJWT({ ...claimsOfMember() }).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(privateKey)
      expect(answerOf(await app.request('/api/secret', withToken(forged)))).toMatchObject({ status: 401, error: 'unauthenticated', served: false })
    }
  })

  it('a real token with its payload edited', async () => {
    const [header, payload, signature] = memberToken().split('.')
    const edited = `${header}.${base64url.encode(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'] }))}.${signature}`
    expect(answerOf(await app.request('/admin/secret', withToken(edited)))).toMatchObject({ status: 302, served: false })
    expect(answerOf(await app.request('/api/reports/summary', withToken(edited)))).toMatchObject({ status: 401, served: false })
  })

  it('a token signed with the server\'s own key whose exp passed (beyond the 5 s skew): 401, while the same claims minted now open the API', async () => {
    const { sub, sid, roles, cep, mfa, fva, iss: _iss, iat: _iat, nbf: _nbf, exp: _exp, ...custom } = claimsOfMember() as Record<string, any>
    const key = await app.guard.keys.signingKey()
    const nowSeconds = Math.floor(app.guard.now() / 1000)
    const mint = (at: number) => mintSessionToken(key, { sub, sid, roles, cep, mfa, fva }, custom, { nowSeconds: at, ttlSeconds: 60 })
    expect(answerOf(await app.request('/api/secret', withToken(await mint(nowSeconds))))).toMatchObject({ status: 200, served: true })
    const expired = await mint(nowSeconds - 60 - 6)
    expect(answerOf(await app.request('/api/secret', withToken(expired)))).toMatchObject({ status: 401, error: 'unauthenticated', served: false })
    expect(answerOf(await app.request('/api/secret', { headers: { authorization: `Bearer ${expired}` } }))).toMatchObject({ status: 401, served: false })
    expect(answerOf(await app.request('/dashboard', withToken(expired)))).toMatchObject({ status: 302, to: '/sign-in', served: false })
  })
})

describe('no request header makes the guard skip (CVE-2025-29927 class)', () => {
  const tricks: Record<string, string>[] = [
    { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' },
    { 'x-middleware-subrequest': 'src/middleware' },
    { 'x-nitro-prerender': '/api/secret' },
    { 'x-original-url': '/public/info' },
    { 'x-rewrite-url': '/public/info' },
    { 'x-forwarded-prefix': '/public' },
    { 'x-forwarded-uri': '/public/info' },
    { 'x-forwarded-path': '/public/info' },
    { 'x-forwarded-host': 'trusted.internal', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' },
    { 'x-real-ip': '127.0.0.1', forwarded: 'for=127.0.0.1;host=trusted.internal;proto=https' },
    { 'x-http-method-override': 'OPTIONS' },
    { purpose: 'prefetch', 'x-nuxt-no-ssr': '1' },
  ]
  it.each(tricks.map(headers => [Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join(' + '), headers] as const))('%s', async (_name, headers) => {
    expect(answerOf(await app.request('/api/secret', { headers }))).toMatchObject({ status: 401, error: 'unauthenticated', served: false })
    expect(answerOf(await app.request('/admin/secret', { headers }))).toMatchObject({ status: 302, to: '/sign-in', served: false })
    expect(answerOf(await member.send('/admin/secret', { headers }))).toMatchObject({ status: 403, error: 'forbidden', served: false })
  })

  it('forwarded host and proto (no trusted proxy) do not turn the sign-in redirect into another site', async () => {
    const response = await app.request('/dashboard', { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', host: 'evil.example' } })
    expect(response.status).toBe(302)
    expect(response.headers.location).toBe('/sign-in?redirect_url=%2Fdashboard')
  })
})

describe('a route that wants a second factor', () => {
  it('a signed-in user with no second factor: the API answers 403 mfa_enrollment_required, a page redirects to enrollment with the return path', async () => {
    const api = await member.send('/api/vault/keys')
    expect(api.status).toBe(403)
    expect(api.json()).toEqual({ error: 'mfa_enrollment_required', error_description: expect.any(String) })
    const page = await member.send('/vault?tab=2')
    expect([page.status, page.headers.location]).toEqual([302, '/account/manage-mfa/add?redirect_url=%2Fvault%3Ftab%3D2'])
    // …also when spelled otherwise, and for the admin (a role is not a second factor).
    expect(answerOf(await member.send('/%76ault'))).toMatchObject({ status: 302, to: '/account/manage-mfa/add' })
    expect(answerOf(await admin.send('/API/VAULT/keys'))).toMatchObject({ status: 403, error: 'mfa_enrollment_required', served: false })
  })

  it('anonymous: still sign in first (401 / 302 to sign-in)', async () => {
    expect(answerOf(await app.request('/api/vault/keys'))).toMatchObject({ status: 401, error: 'unauthenticated' })
    expect(answerOf(await app.request('/vault'))).toMatchObject({ status: 302, to: '/sign-in' })
  })

  it('routes without the rule stay open to the same user (MFA is enforced by rule only)', async () => {
    expect(answerOf(await member.send('/dashboard'))).toMatchObject({ status: 200, served: true })
  })
})

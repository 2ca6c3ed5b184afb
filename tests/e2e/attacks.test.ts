import { describe, expect, it, beforeAll } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { SignJWT, generateKeyPair, base64url } from 'jose'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'

await setup(fixtureSetup('basic'))

const member = new CookieClient()
beforeAll(async () => {
  await new CookieClient().signUp('first-admin@acme.test')
  await member.signUp('member@acme.test')
})

/** Nothing protected may leak: the marker every protected handler returns. */
function expectNoLeak(response: { status: number; body: string }, path: string) {
  expect(response.body, `${path} leaked a protected response`).not.toContain('TOP-SECRET')
  expect([302, 303, 400, 401, 403, 404], `${path} answered ${response.status}`).toContain(response.status)
}

describe('encoded and ambiguous paths never reach a protected handler anonymously', () => {
  const attacks = [
    '/admin/secret', '/ADMIN/SECRET', '/Admin/Secret', '/admin/secret/', '/admin/secret//',
    '/%61dmin/secret', '/%41DMIN/secret', '/admin%2Fsecret', '/admin%2fsecret', '/admin%252Fsecret', '/admin%25252Fsecret',
    '//admin/secret', '///admin//secret', '/./admin/secret', '/admin/./secret', '/public/../admin/secret',
    '/public/..%2Fadmin/secret', '/public/%2e%2e/admin/secret', '/public/%2E%2E%2Fadmin%2Fsecret', '/public/..%252Fadmin/secret',
    '/admin;jsessionid=x/secret', '/admin/secret;jsessionid=x', '/public;x=1/../admin/secret',
    '/public\\..\\admin/secret', '\\admin\\secret', '/public/..\\admin/secret', '/public%5C..%5Cadmin/secret',
    '/api/public/../secret', '/api/public/..%2Fsecret', '/api/public/%2e%2e/secret', '/API/SECRET', '/api/secret/', '/api//secret',
    '/api/public%2F..%2Fsecret', '/api/_guard/../secret', '/api/_guard/..%2Fsecret', '/sign-in/../api/secret', '/sign-in/..%2Fapi%2Fsecret',
    '/api/reports;x/summary', '/api/data%2Fexport', '/api/DATA/EXPORT',
  ]
  for (const path of attacks) {
    it(`${path}`, async () => {
      expectNoLeak(await rawRequest(path), path)
      expectNoLeak(await rawRequest(path, { headers: { accept: 'application/json' } }), path)
    })
  }

  it('refuses malformed percent-encoding and NUL with 400', async () => {
    for (const path of ['/admin/%zz', '/api/secret%', '/api/secret%0', '/public/%00/../../api/secret', '/api/secret%00', '/%C0%AFapi/secret']) {
      const response = await rawRequest(path)
      expect(response.status, path).toBe(400)
      expect(response.json().error).toBe('invalid_request')
    }
  })

  it('a member cannot reach the admin page through the page router\'s readings (case, escapes, params)', async () => {
    // vue-router matches case-insensitively and decodes escapes: the guard must judge those readings too.
    for (const path of ['/ADMIN', '/Admin', '/%61dmin', '/%41DMIN', '/admin/', '/ADMIN/', '/admin;x=1', '/public/../admin', '/public/..%2Fadmin', '//admin']) {
      const response = await member.send(path)
      expect(response.body, `${path} rendered the admin page`).not.toContain('PROTECTED-PAGE admin')
    }
  })

  it('a member cannot reach admin routes by encoding either', async () => {
    for (const path of ['/ADMIN/secret', '/%61dmin/secret', '/public/..%2Fadmin/secret', '/admin;x=1/secret', '/public\\..\\admin/secret', '/api/data%2Fexport']) {
      const response = await member.send(path)
      expect(response.body, path).not.toContain('TOP-SECRET')
      expect([400, 403, 404], `${path} → ${response.status}`).toContain(response.status)
    }
  })
})

describe('no request header makes the guard skip (CVE-2025-29927 class)', () => {
  const headers: Record<string, string>[] = [
    { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' },
    { 'x-nitro-prerender': '/api/secret' },
    { 'x-original-url': '/public/info' },
    { 'x-rewrite-url': '/public/info' },
    { 'x-forwarded-prefix': '/public' },
    { 'x-forwarded-uri': '/public/info' },
    { 'x-forwarded-host': 'trusted.internal', 'x-forwarded-for': '127.0.0.1' },
    { 'x-http-method-override': 'OPTIONS' },
    { purpose: 'prefetch', 'x-nuxt-no-ssr': '1' },
  ]
  for (const header of headers) {
    it(Object.keys(header).join(' + '), async () => {
      expect((await rawRequest('/api/secret', { headers: header })).status).toBe(401)
      expect((await rawRequest('/admin/secret', { headers: header })).status).toBe(302)
    })
  }
})

describe('forged session tokens are refused', () => {
  async function memberToken() {
    return member.cookies.get('guard_session')!
  }
  const asCookie = (token: string) => ({ cookie: `guard_session=${token}` })

  it('alg: none', async () => {
    const token = JSON.parse(Buffer.from((await memberToken()).split('.')[1]!, 'base64url').toString())
    const forged = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ ...token, roles: ['admin'] }))}.`
    expect((await rawRequest('/api/secret', { headers: asCookie(forged) })).status).toBe(401)
    expect((await rawRequest('/api/secret', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401)
  })

  it('HS256 signed with the public key as the secret', async () => {
    const jwk = (await rawRequest('/api/_guard/jwks.json')).json().keys[0]
    const claims = JSON.parse(Buffer.from((await memberToken()).split('.')[1]!, 'base64url').toString())
    for (const secret of [JSON.stringify(jwk), `${jwk.x}${jwk.y}`]) {
      const forged = await new SignJWT({ ...claims, roles: ['admin'] }).setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'JWT' }).sign(new TextEncoder().encode(secret))
      expect((await rawRequest('/admin/secret', { headers: asCookie(forged) })).status).toBe(302)
    }
  })

  it('a token signed by a key the server never issued (unknown kid, and a known kid)', async () => {
    const jwk = (await rawRequest('/api/_guard/jwks.json')).json().keys[0]
    const claims = JSON.parse(Buffer.from((await memberToken()).split('.')[1]!, 'base64url').toString())
    const { privateKey } = await generateKeyPair('ES256')
    for (const kid of ['attacker-key', jwk.kid]) {
      const forged = await new SignJWT({ ...claims, roles: ['admin'] }).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(privateKey)
      expect((await rawRequest('/api/secret', { headers: asCookie(forged) })).status).toBe(401)
    }
  })

  it('a real token with its payload edited', async () => {
    const [header, payload, signature] = (await memberToken()).split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    const edited = `${header}.${base64url.encode(JSON.stringify({ ...claims, roles: ['admin'] }))}.${signature}`
    expect((await rawRequest('/admin/secret', { headers: asCookie(edited) })).status).toBe(302)
    expect((await rawRequest('/api/reports/summary', { headers: asCookie(edited) })).status).toBe(401)
  })
})

describe('redirect_url after sign-in never leaves the origin', () => {
  const attacks = ['//evil.example', '/\\evil.example', '\\/evil.example', 'https://evil.example', '%2F%2Fevil.example', 'javascript:alert(1)', '/\t/evil.example', ' //evil.example', 'http:evil.example', '///evil.example']
  for (const target of attacks) {
    it(JSON.stringify(target), async () => {
      const response = await new CookieClient().signIn('member@acme.test', undefined, target)
      expect(response.status).toBe(200)
      const { redirectTo } = response.json()
      expect(redirectTo).toBe('/')
      expect(new URL(redirectTo, 'https://app.example').origin).toBe('https://app.example')
    })
  }

  it('keeps a legitimate same-origin path with its query', async () => {
    expect((await new CookieClient().signIn('member@acme.test', undefined, '/billing?tab=invoices#latest')).json().redirectTo).toBe('/billing?tab=invoices#latest')
  })
})

import { describe, expect, it, beforeAll } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'

await setup(fixtureSetup('basic'))

const admin = new CookieClient()
const member = new CookieClient()

beforeAll(async () => {
  expect((await admin.signUp('admin@acme.test')).status).toBe(200)
  expect((await member.signUp('member@acme.test')).status).toBe(200)
})

describe('default deny', () => {
  it('redirects an anonymous page request to sign-in with the return path', async () => {
    const response = await rawRequest('/dashboard?tab=1')
    expect(response.status).toBe(302)
    expect(response.headers.location).toBe('/sign-in?redirect_url=%2Fdashboard%3Ftab%3D1')
  })

  it('answers an anonymous API request with 401 JSON, never a redirect', async () => {
    const response = await rawRequest('/api/secret')
    expect(response.status).toBe(401)
    expect(response.headers.location).toBeUndefined()
    expect(response.json()).toMatchObject({ error: 'unauthenticated', error_description: expect.any(String) })
  })

  it('protects a route that no list names', async () => {
    expect((await rawRequest('/some/page/nobody/listed')).status).toBe(302)
    expect((await rawRequest('/api/not-listed-anywhere')).status).toBe(401)
  })

  it('lets a signed-in user through and returns to the original page after sign-in', async () => {
    const client = new CookieClient()
    const signIn = await client.signIn('member@acme.test', undefined, '/dashboard?tab=1')
    expect(signIn.json()).toMatchObject({ redirectTo: '/dashboard?tab=1', roles: ['member'] })
    const page = await client.send('/dashboard')
    expect(page.status).toBe(200)
    expect(page.body).toContain('PROTECTED-PAGE dashboard')
    expect((await client.send('/api/secret')).json()).toMatchObject({ marker: 'TOP-SECRET api' })
  })
})

describe('public and ignored routes', () => {
  it('serves public pages and APIs to anyone, with auth resolved when signed in', async () => {
    expect((await rawRequest('/public/info')).body).toContain('PUBLIC-PAGE info')
    expect((await rawRequest('/api/public/ping')).json()).toEqual({ pong: true, userId: null })
    const signedIn = (await member.send('/api/public/ping')).json()
    expect(signedIn.userId).toMatch(/^user_/)
  })

  it('renders the signed-in home on the server with who you are and your claims', async () => {
    const page = await member.send('/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('Signed in')
    expect(page.body).toContain('&quot;email&quot;: &quot;member@acme.test&quot;')
    expect((await rawRequest('/')).body).toContain('Welcome')
  })

  it('does no auth work at all on ignored routes', async () => {
    const response = await member.send('/health')
    expect(response.json()).toEqual({ ok: true, authResolved: false })
    expect(response.headers['set-cookie']).toBeUndefined()
  })
})

describe('roles and permissions', () => {
  it('the first user is the admin, later users are members', async () => {
    expect((await admin.send('/api/_guard/session')).json().roles).toEqual(['admin'])
    expect((await member.send('/api/_guard/session')).json().roles).toEqual(['member'])
  })

  it('refuses a member the admin pages with 403 and serves them to the admin', async () => {
    const refused = await member.send('/admin/secret')
    expect(refused.status).toBe(403)
    expect(refused.body).not.toContain('TOP-SECRET')
    expect((await admin.send('/admin/secret')).body).toBe('TOP-SECRET admin')
    expect((await admin.send('/admin')).body).toContain('PROTECTED-PAGE admin')
  })

  it('a refused page is rendered for the signed-in user: their own top bar, not a sign-in link', async () => {
    const refused = await member.send('/admin')
    expect(refused.status).toBe(403)
    expect(refused.body).not.toContain('PROTECTED-PAGE')
    expect(refused.body).toContain('Sign out')
    expect(refused.body).not.toMatch(/>\s*Sign in\s*</)
  })

  it('answers 403 forbidden JSON for a missing permission', async () => {
    const refused = await member.send('/api/reports/summary')
    expect(refused.status).toBe(403)
    expect(refused.json()).toMatchObject({ error: 'forbidden', error_description: expect.stringContaining('reports:read') })
    expect((await admin.send('/api/reports/summary')).json()).toEqual({ marker: 'TOP-SECRET reports' })
  })

  it('matches single-segment globs such as /api/*/export', async () => {
    expect((await member.send('/api/data/export')).status).toBe(403)
    expect((await admin.send('/api/data/export')).status).toBe(200)
  })

  it('requireAuth re-checks inside the handler (defence in depth)', async () => {
    const refused = await member.send('/api/defence')
    expect(refused.status).toBe(403)
    expect(refused.body).toContain('forbidden')
    expect(refused.body).not.toContain('TOP-SECRET')
    expect((await admin.send('/api/defence')).json()).toMatchObject({ marker: 'TOP-SECRET defence' })
  })
})

describe('sessions', () => {
  it('GET /session answers 401 when signed out and the claims when signed in', async () => {
    expect((await rawRequest('/api/_guard/session')).status).toBe(401)
    const session = (await member.send('/api/_guard/session')).json()
    expect(session.claims).toMatchObject({ sub: session.userId, sid: session.sessionId, iss: 'nuxt-guard', email: 'member@acme.test', plan: null })
    expect(session.claims.exp - session.claims.iat).toBe(60)
  })

  it('refreshes transparently from the server session when the token is unusable', async () => {
    const client = new CookieClient()
    await client.signIn('member@acme.test')
    client.cookies.set('guard_session', 'not-a-token')
    const response = await client.send('/api/secret')
    expect(response.status).toBe(200)
    expect(client.cookies.get('guard_session')).toMatch(/^ey/)
  })

  it('sign-out ends the session: its old token and refresh cookie stop working', async () => {
    const client = new CookieClient()
    await client.signIn('member@acme.test')
    const stolen = client.cookieHeader
    expect((await client.send('/api/_guard/sign-out', { json: {} })).json()).toEqual({ signedOut: true })
    const replay = await rawRequest('/api/secret', { headers: { cookie: stolen } })
    expect(replay.status).toBe(401)
  })

  it('accepts the token as Authorization: Bearer too', async () => {
    const client = new CookieClient()
    await client.signIn('member@acme.test')
    const token = client.cookies.get('guard_session')!
    expect((await rawRequest('/api/secret', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    expect((await rawRequest('/api/secret', { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401)
  })

  it('publishes the verification keys as a JWKS', async () => {
    const jwks = (await rawRequest('/api/_guard/jwks.json')).json()
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) })
    expect(jwks.keys[0].d).toBeUndefined()
  })
})

describe('sign-up and sign-in input', () => {
  it('refuses bad input with the field named', async () => {
    const client = new CookieClient()
    const bad = await client.signUp('not-an-email', 'short')
    expect(bad.status).toBe(422)
    expect(bad.json()).toMatchObject({ error: 'invalid_request', fields: { email: expect.any(String), password: expect.any(String) } })
    const taken = await client.signUp('MEMBER@acme.test')
    expect(taken.status).toBe(409)
    expect(taken.json().error).toBe('email_taken')
  })

  it('refuses a password people could guess with 422 weak_password, saying why and what to do under the password field', async () => {
    const common = await new CookieClient().signUp('newcomer@acme.test', 'password1')
    expect(common.status).toBe(422)
    expect(common.json()).toMatchObject({ error: 'weak_password', field: 'password', fields: { password: common.json().error_description } })
    expect(common.json().error_description).toBe('This is a commonly used password. Add more words that are less common.')
    const personal = await new CookieClient().signUp('newcomer@acme.test', 'Newcomer-2024!')
    expect(personal.status).toBe(422)
    expect(personal.json().error_description).toContain('your email address\'s name (newcomer)')
    // No account was made.
    expect((await new CookieClient().signIn('newcomer@acme.test', 'password1')).status).toBe(401)
  })

  it('says the same thing for an unknown email and a wrong password', async () => {
    const unknown = await new CookieClient().signIn('nobody@acme.test', 'whatever-password')
    const wrong = await new CookieClient().signIn('member@acme.test', 'wrong-password')
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(401)
    expect(unknown.json()).toEqual(wrong.json())
  })

  it('refuses a cross-origin or non-JSON sign-in (CSRF)', async () => {
    const body = JSON.stringify({ email: 'member@acme.test', password: 'correct horse battery' })
    const crossOrigin = await rawRequest('/api/_guard/sign-in', { method: 'POST', body, headers: { 'content-type': 'application/json', origin: 'https://evil.example' } })
    expect(crossOrigin.status).toBe(403)
    expect(crossOrigin.headers['set-cookie']).toBeUndefined()
    const form = await rawRequest('/api/_guard/sign-in', { method: 'POST', body: 'email=member%40acme.test&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(form.status).toBe(415)
  })

  it('signs out with a body-less same-origin POST, as $fetch sends it; a cross-site or form one is refused', async () => {
    const client = new CookieClient()
    expect((await client.signIn('member@acme.test')).status).toBe(200)
    expect((await client.send('/api/_guard/sign-out', { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(403)
    expect((await client.send('/api/_guard/sign-out', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415)
    expect((await client.send('/api/_guard/session')).status).toBe(200)
    const signOut = await client.send('/api/_guard/sign-out', { method: 'POST' })
    expect(signOut.status, signOut.body).toBe(200)
    expect((await client.send('/api/_guard/session')).status).toBe(401)
  })
})

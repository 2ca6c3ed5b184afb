/**
 * The CSRF/415 gate of the guard's API (defineGuardHandler: a state-changing
 * request must be same-origin when the browser names an Origin, and JSON or
 * body-less), in process through the real handlers (sign-in, sign-out, the
 * console's config) on a real h3 app and guard (tests/support/h3-app.ts).
 * The answers are those of tests/e2e/guard.test.ts and admin-access.test.ts:
 * 403 `cross_origin_request`, 415 `unsupported_media_type`. `allowedOrigins`
 * is, as documented (modules/guard/index.ts), the list of other origins that
 * may open WebSockets: it opens upgrades, never the JSON API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWebSocket } from '../support/websocket-upgrade'
import { PASSWORD, answerOf, startGuardApp, type AppClient, type GuardApp } from '../support/h3-app'

const PARTNER = 'https://partner.example'
const EVIL = 'https://evil.example'
const EMAIL = 'ada@h3-csrf.test'

let app: GuardApp
let ada: AppClient

beforeAll(async () => {
  app = await startGuardApp({ allowedOrigins: [PARTNER] })
  ada = app.client()
  expect((await ada.signUp(EMAIL)).status).toBe(200) // the first user: the admin
}, 60_000)
afterAll(async () => { await app?.close() })

const credentials = JSON.stringify({ email: EMAIL, password: PASSWORD })
const signIn = (headers: Record<string, string>, body: string | undefined = credentials) =>
  app.request('/api/_guard/sign-in', { method: 'POST', headers, body })

/** A guard refusal: the status, `{ error, error_description }`, no cookie set, nothing cached. */
function expectRefusal(response: Awaited<ReturnType<typeof signIn>>, status: number, error: string) {
  expect({ status: response.status, body: response.json() }, response.body).toEqual({ status, body: { error, error_description: expect.any(String) } })
  expect(response.headers['set-cookie']).toBeUndefined()
  expect(response.headers['cache-control']).toBe('no-store')
}

describe('a cross-origin state change is refused: 403 cross_origin_request', () => {
  it('a sign-in posted from another site, with the right password, signs nobody in', async () => {
    expectRefusal(await signIn({ 'content-type': 'application/json', origin: EVIL }), 403, 'cross_origin_request')
    expect(answerOf(await signIn({ 'content-type': 'application/json', origin: EVIL })).error).toBe('cross_origin_request')
  })

  it('an opaque origin (sandboxed iframe, file:, data:) and an origin that is not a URL', async () => {
    expectRefusal(await signIn({ 'content-type': 'application/json', origin: 'null' }), 403, 'cross_origin_request')
    expectRefusal(await signIn({ 'content-type': 'application/json', origin: 'not a url' }), 403, 'cross_origin_request')
  })

  it('the same host on another port or scheme is another origin', async () => {
    const { hostname, port } = new URL(app.origin)
    expectRefusal(await signIn({ 'content-type': 'application/json', origin: `http://${hostname}:${Number(port) + 1}` }), 403, 'cross_origin_request')
  })

  it('with the victim\'s cookies: sign-out and a config save from another site change nothing', async () => {
    const before = (await ada.send('/api/_guard/admin/config')).json()
    const save = await ada.send('/api/_guard/admin/config', { method: 'PUT', json: { version: before.version, document: { ...before.document, routes: { ...before.document.routes, public: ['/**'] } } }, headers: { origin: EVIL } })
    expect([save.status, save.json().error]).toEqual([403, 'cross_origin_request'])
    expect((await ada.send('/api/_guard/admin/config')).json().version).toBe(before.version)
    expect(answerOf(await app.request('/dashboard')).status).toBe(302)

    const signOut = await ada.send('/api/_guard/sign-out', { method: 'POST', headers: { origin: EVIL } })
    expect([signOut.status, signOut.json().error]).toEqual([403, 'cross_origin_request'])
    expect((await ada.send('/api/_guard/session')).status).toBe(200)
  })

  it('with the victim\'s cookies and no Origin, a request the browser marks cross-site (Sec-Fetch-Site) changes nothing', async () => {
    const signOut = await ada.send('/api/_guard/sign-out', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })
    expect([signOut.status, signOut.json().error]).toEqual([403, 'cross_origin_request'])
    expect((await ada.send('/api/_guard/session')).status).toBe(200)
    // same-origin and same-site fetches, and clients that send no Fetch Metadata, are answered as before
    expect((await ada.send('/api/_guard/session', { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200)
  })

  it('a forwarded host naming the attacker\'s site does not make it the same origin', async () => {
    for (const headers of [{ 'x-forwarded-host': 'evil.example' } as Record<string, string>, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }, { forwarded: 'host=evil.example;proto=https' }]) {
      expectRefusal(await signIn({ 'content-type': 'application/json', origin: EVIL, ...headers }), 403, 'cross_origin_request')
    }
  })
})

describe('a state change must be JSON: 415 unsupported_media_type', () => {
  it.each([
    ['an HTML form', 'application/x-www-form-urlencoded', `email=${encodeURIComponent(EMAIL)}&password=${encodeURIComponent(PASSWORD)}`],
    ['a multipart form', 'multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${EMAIL}\r\n--x--\r\n`],
    ['text/plain (a "simple" cross-site request)', 'text/plain', credentials],
    ['JSON text under another type', 'application/x-json-ish', credentials],
  ])('%s', async (_name, type, body) => {
    expectRefusal(await signIn({ 'content-type': type }, body), 415, 'unsupported_media_type')
  })

  it('a body without any Content-Type', async () => {
    expectRefusal(await signIn({}, credentials), 415, 'unsupported_media_type')
  })

  it('a config save sent as text, even same-origin and signed in, saves nothing', async () => {
    const before = (await ada.send('/api/_guard/admin/config')).json()
    const save = await ada.send('/api/_guard/admin/config', { method: 'PUT', headers: { 'content-type': 'text/plain', origin: app.origin }, body: JSON.stringify({ version: before.version, document: before.document }) })
    expect([save.status, save.json().error]).toEqual([415, 'unsupported_media_type'])
    expect((await ada.send('/api/_guard/admin/config')).json().version).toBe(before.version)
  })
})

describe('what passes the gate', () => {
  it('a same-origin JSON sign-in: 200 with the session cookies', async () => {
    const response = await signIn({ 'content-type': 'application/json', origin: app.origin })
    expect(response.status, response.body).toBe(200)
    expect(String(response.headers['set-cookie'])).toContain('guard_session=')
  })

  it('JSON with a charset, and JSON from a client that names no Origin (curl, a server)', async () => {
    expect((await signIn({ 'content-type': 'application/json; charset=utf-8', origin: app.origin })).status).toBe(200)
    expect((await signIn({ 'content-type': 'Application/JSON' })).status).toBe(200)
  })

  it('a same-origin JSON call to the console', async () => {
    const response = await ada.send('/api/_guard/admin/config/validate', { json: { document: {} }, headers: { origin: app.origin } })
    expect([response.status, response.json()]).toEqual([200, { ok: true, fields: [] }])
  })

  it('a body-less POST with no Content-Type (as `$fetch(url, { method: \'POST\' })` sends it) signs out', async () => {
    const laptop = app.client()
    expect((await laptop.signIn(EMAIL)).status).toBe(200)
    const signOut = await laptop.send('/api/_guard/sign-out', { method: 'POST', headers: { origin: app.origin } })
    expect([signOut.status, signOut.json()]).toEqual([200, { signedOut: true }])
    expect((await laptop.send('/api/_guard/session')).status).toBe(401)
  })

  it('reads (GET) are not state changes: the session is answered whatever the Origin', async () => {
    expect((await ada.send('/api/_guard/session', { headers: { origin: EVIL } })).status).toBe(200)
  })
})

describe('allowedOrigins', () => {
  it('a listed origin may open a WebSocket; an unlisted one is refused before the 101', async () => {
    const cookie = ada.cookieHeader
    const partner = await openWebSocket(app.origin, '/live', { cookie, origin: PARTNER })
    expect(partner.status, partner.body).toBe(101)
    expect(JSON.parse(partner.message!)).toEqual({ userId: expect.stringMatching(/^user_/) })
    const evil = await openWebSocket(app.origin, '/live', { cookie, origin: EVIL })
    expect(evil.status).toBe(403)
    expect(JSON.parse(evil.body!)).toMatchObject({ error: 'cross_origin_request', error_description: expect.stringContaining(EVIL) })
    expect((await openWebSocket(app.origin, '/live', { cookie, origin: app.origin })).status).toBe(101)
  })

  it('a listed origin is still judged like any request: anonymous, its upgrade of a protected path is refused', async () => {
    expect((await openWebSocket(app.origin, '/live', { origin: PARTNER })).status).not.toBe(101)
  })

  it('the list does not open the JSON API to that origin: its state changes are refused as cross-origin', async () => {
    expectRefusal(await signIn({ 'content-type': 'application/json', origin: PARTNER }), 403, 'cross_origin_request')
    const signOut = await ada.send('/api/_guard/sign-out', { method: 'POST', headers: { origin: PARTNER } })
    expect([signOut.status, signOut.json().error]).toEqual([403, 'cross_origin_request'])
  })
})

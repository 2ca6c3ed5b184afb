/**
 * Every console route checks for itself (the page guard is only comfort):
 * anonymous → 401, a member → 403, and a state change needs a same-origin
 * JSON request — from the attacker's side.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'
import { ADMIN, ADMIN_ROUTES, UNSAFE_ADMIN_ROUTES, callRoute, expectError, okJson } from '../support/admin-api'

await setup(fixtureSetup('basic'))

const admin = new CookieClient()
const member = new CookieClient()
const label = (route: { method: string; path: string }) => `${route.method} ${route.path.replace(ADMIN, '')}`

beforeAll(async () => {
  expect((await admin.signUp('admin@access.test')).status).toBe(200)
  expect((await member.signUp('member@access.test')).status).toBe(200)
})

describe('who may call the console API', () => {
  it.each(ADMIN_ROUTES.map(route => [label(route), route] as const))('%s: 401 anonymous, 403 member', async (_name, route) => {
    expectError(await callRoute(new CookieClient(), route), 401, 'unauthenticated')
    expectError(await callRoute(member, route), 403, 'forbidden')
  })

  it('a forged session cookie is anonymous', async () => {
    const forger = new CookieClient()
    forger.cookies.set('guard_session', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXX0.')
    expectError(await forger.send(`${ADMIN}/config`), 401, 'unauthenticated')
  })

  it('no header makes the route skip its check', async () => {
    const tricks = { 'x-middleware-subrequest': 'middleware', 'x-forwarded-for': '127.0.0.1', 'x-original-url': '/public/info', 'x-rewrite-url': '/' }
    expectError(await rawRequest(`${ADMIN}/users`, { headers: tricks }), 401, 'unauthenticated')
    expectError(await member.send(`${ADMIN}/users`, { headers: tricks }), 403, 'forbidden')
  })
})

describe('state changes need a same-origin JSON request', () => {
  it.each(UNSAFE_ADMIN_ROUTES.map(route => [label(route), route] as const))('%s: cross-origin 403, non-JSON 415', async (_name, route) => {
    expectError(await callRoute(admin, route, { origin: 'https://evil.example' }), 403, 'cross_origin_request')
    expectError(await callRoute(admin, route, { origin: 'null' }), 403, 'cross_origin_request')
    expectError(await callRoute(admin, route, { 'content-type': 'text/plain' }), 415, 'unsupported_media_type')
    expectError(await callRoute(admin, route, { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type')
  })

  it('a refused cross-origin save changes nothing', async () => {
    const before = okJson(await admin.send(`${ADMIN}/config`))
    const document = { ...before.document, routes: { ...before.document.routes, public: [] } }
    const refused = await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: before.version, document }, headers: { origin: 'https://evil.example' } })
    expect(refused.status).toBe(403)
    expect(okJson(await admin.send(`${ADMIN}/config`)).version).toBe(before.version)
    expect((await rawRequest('/public/info')).status).toBe(200)
  })

  it('the same origin is accepted', async () => {
    const target = new URL((await import('@nuxt/test-utils/e2e')).url('/'))
    const response = await admin.send(`${ADMIN}/config/validate`, { json: { document: {} }, headers: { origin: target.origin } })
    expect(okJson(response)).toEqual({ ok: true, fields: [] })
  })
})

describe('input is validated', () => {
  it('refuses a malformed body or query with the field', async () => {
    expect(expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: 'one', document: {} } }), 422, 'invalid_request').field).toBe('version')
    expect(expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: 1 } }), 422, 'invalid_request').field).toBe('document')
    expect(expectError(await admin.send(`${ADMIN}/users?limit=0`), 422, 'invalid_request').field).toBe('limit')
    expect(expectError(await admin.send(`${ADMIN}/audit?before=abc`), 422, 'invalid_request').field).toBe('before')
    expect(expectError(await admin.send(`${ADMIN}/config/diff?from=1`), 422, 'invalid_request').field).toBe('to')
    expectError(await admin.send(`${ADMIN}/config/versions/x`), 422, 'invalid_request')
    expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: '{"version":', headers: {} }), 422, 'invalid_request')
  })

  it('answers 404 for an unknown user or version', async () => {
    for (const route of ADMIN_ROUTES.filter(route => route.path.includes('user_x') || JSON.stringify(route.json ?? {}).includes('user_x'))) {
      expectError(await callRoute(admin, route), 404, 'user_not_found')
    }
    expectError(await admin.send(`${ADMIN}/config/versions/999`), 404, 'version_not_found')
    expectError(await admin.send(`${ADMIN}/config/diff?from=1&to=999`), 404, 'version_not_found')
  })
})

/**
 * The console API's own gate (requireAdmin) in process, through the real
 * console handlers behind the real middleware on a real h3 app and guard
 * (tests/support/h3-app.ts): anonymous 401, a member 403 `forbidden`; an
 * admin needs a second factor completed in this session whenever MFA is
 * enforced or the admin enrolled one — 403 `mfa_enrollment_required` before
 * enrolling, 403 `INVALID_CLAIMS` naming the factor in a session that has
 * not completed it — and is served once it is. The answers are those of
 * tests/e2e/admin-access.test.ts and admin-mfa-enforced.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TOTP } from 'otpauth'
import { ADMIN, expectError, okJson, type AdminRoute } from '../support/admin-api'
import { enrollTotp } from '../support/admin-mfa'
import { challenge } from '../support/mfa-http'
import { startGuardApp, type AppClient, type GuardApp } from '../support/h3-app'

const EMAIL = 'admin@h3-admin-gate.test'
/** The console routes this app serves (see startGuardApp), each with a request it would accept. */
const ROUTES: AdminRoute[] = [
  { method: 'GET', path: `${ADMIN}/config` },
  { method: 'POST', path: `${ADMIN}/config/validate`, json: { document: {} } },
  { method: 'GET', path: `${ADMIN}/users` },
]
const label = (route: AdminRoute) => `${route.method} ${route.path.replace(ADMIN, '')}`
const call = (client: AppClient, route: AdminRoute, headers: Record<string, string> = {}) => client.send(route.path, { method: route.method, json: route.json, headers })

let app: GuardApp
let admin: AppClient
let member: AppClient

beforeAll(async () => {
  app = await startGuardApp() // MFA not enforced (the seed's default)
  admin = app.client()
  member = app.client()
  expect((await admin.signUp(EMAIL)).status).toBe(200) // the first user becomes the admin
  expect((await member.signUp('member@h3-admin-gate.test')).status).toBe(200)
}, 60_000)
afterAll(async () => { await app?.close() })

/** Saves the live config with `mfa.enforce` set, as the console does. */
async function saveEnforce(client: AppClient, enforce: 'off' | 'all') {
  const { version, document } = okJson(await client.send(`${ADMIN}/config`))
  okJson(await client.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document: { ...document, mfa: { ...document.mfa, enforce } } } }))
}

describe('who may call the console API', () => {
  it.each(ROUTES.map(route => [label(route), route] as const))('%s: anonymous 401, a member 403, the admin 200', async (_name, route) => {
    expectError(await call(app.client(), route), 401, 'unauthenticated')
    expectError(await call(member, route), 403, 'forbidden')
    okJson(await call(admin, route))
  })

  it('a forged session cookie claiming the admin role is anonymous', async () => {
    const forger = app.client()
    forger.cookies.set('guard_session', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXX0.')
    expectError(await forger.send(`${ADMIN}/config`), 401, 'unauthenticated')
  })

  it('no header makes the route skip its check', async () => {
    const tricks = { 'x-middleware-subrequest': 'middleware', 'x-forwarded-for': '127.0.0.1', 'x-original-url': '/public/info', 'x-rewrite-url': '/' }
    expectError(await app.request(`${ADMIN}/users`, { headers: tricks }), 401, 'unauthenticated')
    expectError(await member.send(`${ADMIN}/users`, { headers: tricks }), 403, 'forbidden')
  })
})

describe('the admin\'s second factor', () => {
  let totp: TOTP

  it('with MFA enforced and no factor enrolled: 403 mfa_enrollment_required on every route, from the very next request', async () => {
    await saveEnforce(admin, 'all')
    for (const route of ROUTES) {
      expect(expectError(await call(admin, route), 403, 'mfa_enrollment_required').error_description, label(route)).toMatch(/enroll/i)
      expectError(await call(member, route), 403, 'forbidden')
      expectError(await call(app.client(), route), 401, 'unauthenticated')
    }
  })

  it('once the admin enrolls and so completes a factor in this session, every route answers 200', async () => {
    totp = await enrollTotp(admin)
    for (const route of ROUTES) okJson(await call(admin, route))
  })

  it('a new session of the admin: 403 INVALID_CLAIMS naming the factor until it completes it, then 200', async () => {
    const laptop = app.client()
    expect((await laptop.signIn(EMAIL)).status).toBe(200)
    for (const route of ROUTES) {
      const refused = expectError(await call(laptop, route), 403, 'INVALID_CLAIMS')
      expect(refused.claimValidationErrors, label(route)).toEqual([{ id: 'mfa', reason: { message: expect.any(String), factorId: 'totp' } }])
    }
    const done = await challenge(laptop, { factor: 'totp', code: totp.generate({ timestamp: Date.now() + 30_000 }) })
    expect(done.status, done.body).toBe(200)
    for (const route of ROUTES) okJson(await call(laptop, route))
  })

  it('with MFA no longer enforced, an admin who enrolled a factor still needs it in each session', async () => {
    await saveEnforce(admin, 'off')
    const tablet = app.client()
    expect((await tablet.signIn(EMAIL)).status).toBe(200)
    expectError(await call(tablet, ROUTES[0]!), 403, 'INVALID_CLAIMS')
    okJson(await call(admin, ROUTES[0]!))
  })
})

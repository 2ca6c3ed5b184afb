/**
 * skipServerMiddleware: true, and server/middleware/guard.ts written by hand on
 * guardMiddleware() as the README shows Clerk's "force MFA for all users"
 * recipe, with the claims template {"isMfa": "{{user.two_factor_enabled}}"}.
 * The app's handler runs for the app's routes only: a new user can still sign
 * up, reach the enrollment page, enroll, sign out and then use the app — and
 * no spelling of an app route that also reads as a guard path skips it.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup, url } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest, type RawResponse } from '../support/http-client'
import { enrollTotpOverHttp } from '../support/mfa-http'
import { ADMIN, okJson } from '../support/admin-api'
import { openWebSocket } from '../support/websocket-upgrade'

await setup(fixtureSetup('skip-middleware'))

const ENABLE_MFA = 'You need to enable MFA for your account.'
const ALREADY_SIGNED_IN = 'You are already signed in.'
const ADD_CLAIM = 'You need to add the `isMfa` claim to your session token.'
const JSON_ACCEPT = { accept: 'application/json' }

/** Asserts that the recipe's handler refused the request: 403 with its message, nothing of the app. */
function expectRefusedByHandler(response: RawResponse, message: string, label = ''): void {
  expect({ status: response.status, statusMessage: safeJson(response)?.statusMessage }, `${label} ${response.body.slice(0, 300)}`).toEqual({ status: 403, statusMessage: message })
  expect(response.body).not.toContain('TOP-SECRET')
}

function safeJson(response: RawResponse): any {
  try { return response.json() }
  catch { return undefined }
}

const admin = new CookieClient()

beforeAll(async () => {
  // The first account becomes the admin; the last test uses it to edit the claims template.
  expect((await admin.signUp('admin@skip-middleware.test')).status).toBe(200)
})

describe('the guard still judges every request', () => {
  it('anonymous requests are refused by the live policy; the public sign-in page opens', async () => {
    expect((await rawRequest('/api/protected/data')).status).toBe(401)
    expect((await rawRequest('/dashboard')).status).toBe(302)
    expect((await rawRequest('/sign-in')).status).toBe(200)
  })
})

describe('a new user under the recipe: sign up → enroll → use the app', () => {
  const ada = new CookieClient()
  let secret: string

  it('signs up and reads the session; isMfa is false', async () => {
    expect((await ada.signUp('ada@skip-middleware.test')).status).toBe(200)
    const session = await ada.send('/api/_guard/session')
    expect(session.status, session.body).toBe(200)
    expect(session.json().claims.isMfa).toBe(false)
  })

  it('before enrolling, the app refuses with 403 "You need to enable MFA for your account." (API and pages, sign-up included)', async () => {
    expectRefusedByHandler(await ada.send('/api/protected/data'), ENABLE_MFA)
    expectRefusedByHandler(await ada.send('/dashboard', { headers: JSON_ACCEPT }), ENABLE_MFA)
    expectRefusedByHandler(await ada.send('/sign-up', { headers: JSON_ACCEPT }), ENABLE_MFA)
    expect((await ada.send('/dashboard')).status).toBe(403) // the HTML error page keeps the status
  })

  it('the enrollment and challenge pages are not refused by the handler', async () => {
    for (const path of ['/account/manage-mfa/add', '/account/manage-mfa/add?redirect_url=%2Fdashboard', '/mfa-challenge']) {
      const page = await ada.send(path)
      expect(page.status, `${path} ${page.body.slice(0, 300)}`).toBe(200)
      expect(page.body).not.toContain(ENABLE_MFA)
    }
  })

  it('ignored routes never run the handler', async () => {
    const favicon = await ada.send('/favicon.ico')
    expect(favicon.status).not.toBe(403)
    expect(favicon.body).not.toContain(ENABLE_MFA)
    const asset = await ada.send('/_nuxt/does-not-exist.js')
    expect(asset.status).not.toBe(403)
    expect(asset.body).not.toContain(ENABLE_MFA)
  })

  it('lists factors, enrolls an authenticator app (code computed here with otpauth) and confirms it', async () => {
    const factors = await ada.send('/api/_guard/mfa/factors')
    expect(factors.status, factors.body).toBe(200)
    expect(factors.json()).toMatchObject({ enrolled: [], strategies: { totp: true } })
    ;({ secret } = await enrollTotpOverHttp(ada))
    const after = await ada.send('/api/_guard/mfa/factors')
    expect(after.status, after.body).toBe(200)
    expect(after.json().enrolled).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'totp' })]))
  })

  it('signs out, signs in again: the token says isMfa true and the app answers 200', async () => {
    const signOut = await ada.send('/api/_guard/sign-out', { json: {} })
    expect(signOut.status, signOut.body).toBe(200)
    expect((await ada.send('/api/_guard/session')).status).toBe(401)
    expect((await ada.send('/api/protected/data')).status).toBe(401)

    const signIn = await ada.signIn('ada@skip-middleware.test')
    expect(signIn.status, signIn.body).toBe(200)
    expect((await ada.send('/api/_guard/session')).json().claims.isMfa).toBe(true)
    const data = await ada.send('/api/protected/data')
    expect(data.status, data.body).toBe(200)
    expect(data.json()).toMatchObject({ marker: 'TOP-SECRET protected', userId: expect.stringMatching(/^user_/) })
    expect((await ada.send('/dashboard')).status).not.toBe(403)
    expect((await ada.send('/sign-up')).status).toBe(200)
  })

  it('signed in on /sign-in: 403 "You are already signed in."', async () => {
    expectRefusedByHandler(await ada.send('/sign-in', { headers: JSON_ACCEPT }), ALREADY_SIGNED_IN)
    expectRefusedByHandler(await ada.send('/sign-in?redirect_url=%2Fdashboard', { headers: JSON_ACCEPT }), ALREADY_SIGNED_IN)
    expect((await ada.send('/sign-in')).status).toBe(403)
  })

  it('a user who never enrolls can still sign out', async () => {
    const grace = new CookieClient()
    expect((await grace.signUp('grace@skip-middleware.test')).status).toBe(200)
    expectRefusedByHandler(await grace.send('/api/protected/data'), ENABLE_MFA)
    // Signed in on /sign-in: the first branch of the recipe.
    expectRefusedByHandler(await grace.send('/sign-in', { headers: JSON_ACCEPT }), ALREADY_SIGNED_IN)
    expect((await grace.send('/api/_guard/sign-out', { json: {} })).status).toBe(200)
    expect((await grace.send('/api/_guard/session')).status).toBe(401)
    expect((await grace.send('/sign-in')).status).toBe(200)
  })
})

describe('attacker side: no spelling of an app route skips the handler', () => {
  // Signed in without a second factor: every path the handler judges answers its 403.
  const mallory = new CookieClient()

  it('paths that read both as the guard\'s API or pages and as an app route run the handler (403, never the app)', async () => {
    expect((await mallory.signUp('mallory@skip-middleware.test')).status).toBe(200)
    for (const path of [
      '/api/_guard/../protected/data',
      '/api/_guard/..%2Fprotected/data',
      '/api/%5Fguard/..%2Fprotected/data',
      '/api/%5Fguard/..%2Fprotected',
      '/API/_guard/x/../../api/protected/data',
      '/api/_guard/%2e%2e/protected/data',
      '/api/_guard/%252e%252e/protected/data',
      '/api/_guard/%25252e%25252e/protected/data',
      '/api/_guard%2F..%2Fprotected/data',
      '/api/_guard\\..\\protected\\data',
      '/api/_guard/..;/protected/data',
      '/account/manage-mfa/add/../../../api/protected/data',
      '/account/manage-mfa/add/..%2F..%2F..%2Fapi%2Fprotected%2Fdata',
      '/mfa-challenge/..%2Fapi/protected/data',
      '//api/_guard/../../api/protected/data',
    ]) expectRefusedByHandler(await mallory.send(path, { headers: JSON_ACCEPT }), ENABLE_MFA, path)
  })

  it('an encoded "?" ends the path for the router and the guard alike: a 404 page under /api/_guard, never the app', async () => {
    // h3 decodes event.path once, so "%3F" becomes "?" and both read /api/_guard/x/.
    const response = await mallory.send('/api/_guard/x/%3F/../../../protected/data', { headers: JSON_ACCEPT })
    expect(response.status, response.body).toBe(404)
    expect(response.body).not.toContain('TOP-SECRET')
  })

  it('look-alikes of the guard\'s paths are app routes', async () => {
    for (const path of ['/api/_guardx/session', '/api/_guard-extra', '/api/guard/session', '/account/manage-mfa/added', '/account/manage-mfa', '/mfa-challenge-x']) {
      expectRefusedByHandler(await mallory.send(path, { headers: JSON_ACCEPT }), ENABLE_MFA, path)
    }
  })

  it('the guard\'s own paths, however spelled, stay reachable', async () => {
    for (const path of ['/api/_guard/session', '/API/_Guard/session', '/api/_guard//session', '/api/_guard/x/../session', '/api/_guard/session;a=b']) {
      const response = await mallory.send(path)
      expect(response.body, path).not.toContain(ENABLE_MFA)
    }
    expect((await mallory.send('/api/_guard/session')).status).toBe(200)
  })
})

describe('WebSocket upgrades run the recipe too (server middleware never sees them)', () => {
  const wes = new CookieClient()
  let origin: string
  const upgrade = (path: string) => openWebSocket(origin, path, { cookie: wes.cookieHeader, origin })

  it('signed in without a second factor: every spelling of /live answers the handler\'s 403 instead of the 101', async () => {
    origin = new URL(url('/')).origin
    expect((await wes.signUp('wes@skip-middleware.test')).status).toBe(200)
    for (const path of ['/live', '/LIVE', '/api/_guard/../live', '/api/_guard/..%2Flive', '/mfa-challenge/..%2Flive', '/live;x=1']) {
      const answer = await upgrade(path)
      expect(answer.status, path).toBe(403)
      expect(JSON.parse(answer.body!).statusMessage, path).toBe(ENABLE_MFA)
      expect(answer.message, path).toBeUndefined()
    }
    // Anonymous: the guard's own verdict, before the handler.
    expect((await openWebSocket(origin, '/live', { origin })).status).not.toBe(101)
  })

  it('after enrolling and signing in again, the same upgrade opens with the user on the peer', async () => {
    await enrollTotpOverHttp(wes)
    expect((await wes.send('/api/_guard/sign-out', { json: {} })).status).toBe(200)
    expect((await wes.signIn('wes@skip-middleware.test')).status).toBe(200)
    const answer = await upgrade('/live')
    expect(answer.status, answer.body).toBe(101)
    expect(JSON.parse(answer.message!)).toEqual({ channel: 'TOP-SECRET live feed', userId: expect.stringMatching(/^user_/) })
  })
})

describe('the isMfa claim missing from the template', () => {
  it('the admin saves a template without isMfa: the next token has none, and the app answers 403 "You need to add the `isMfa` claim…"', async () => {
    const current = okJson(await admin.send(`${ADMIN}/config`))
    expect(current.document.claims.template).toEqual({ isMfa: '{{user.two_factor_enabled}}' })
    const { isMfa: _, ...rest } = current.document.claims.template
    const saved = await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: current.version, document: { ...current.document, claims: { template: rest } } } })
    expect(saved.status, saved.body).toBe(200)

    const linus = new CookieClient()
    expect((await linus.signUp('linus@skip-middleware.test')).status).toBe(200)
    expect((await linus.send('/api/_guard/session')).json().claims).not.toHaveProperty('isMfa')
    expectRefusedByHandler(await linus.send('/api/protected/data'), ADD_CLAIM)
    expectRefusedByHandler(await linus.send('/dashboard', { headers: JSON_ACCEPT }), ADD_CLAIM)
    // The guard's own paths stay open all the same.
    expect((await linus.send('/api/_guard/mfa/factors')).status).toBe(200)
    expect((await linus.send('/account/manage-mfa/add')).status).toBe(200)
    expect((await linus.send('/api/_guard/sign-out', { json: {} })).status).toBe(200)

    // With isMfa back in the template, the next token has it again.
    const restored = await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: saved.json().version, document: current.document } })
    expect(restored.status, restored.body).toBe(200)
    expect((await linus.signIn('linus@skip-middleware.test')).status).toBe(200)
    expectRefusedByHandler(await linus.send('/api/protected/data'), ENABLE_MFA)
  })
})

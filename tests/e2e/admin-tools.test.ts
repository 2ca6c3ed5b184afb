/**
 * The console's tools answer with the code the guard itself runs: the claims
 * preview renders like a minted token, and the simulator's verdict is what
 * the middleware really answers, for every kind of visitor.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'
import { ADMIN, expectError, okJson } from '../support/admin-api'

await setup(fixtureSetup('basic'))

const admin = new CookieClient()
const member = new CookieClient()
let adminId: string
let memberId: string

const simulate = async (json: Record<string, unknown>) => okJson(await admin.send(`${ADMIN}/simulate`, { json: { method: 'GET', ...json } }))

beforeAll(async () => {
  adminId = okJson(await admin.signUp('admin@tools.test')).userId
  memberId = okJson(await member.signUp('member@tools.test')).userId
})

describe('meta', () => {
  it('lists shortcodes, reserved claims, the size limit and the factor ids', async () => {
    const meta = okJson(await admin.send(`${ADMIN}/meta`))
    expect(meta.shortcodes).toContainEqual({ code: 'user.two_factor_enabled', type: 'boolean', description: expect.any(String) })
    expect(meta.reservedClaims).toEqual(expect.arrayContaining(['sub', 'exp', 'mfa']))
    expect(meta).toMatchObject({ claimsSizeLimitBytes: 1200, factorIds: ['totp', 'recovery_code', 'email_code', 'webauthn'] })
  })
})

describe('claims preview', () => {
  const preview = (template: unknown, userId = memberId) => admin.send(`${ADMIN}/claims/preview`, { json: { template, userId } })

  it('renders the live template exactly as in the member\'s session token', async () => {
    const live = okJson(await admin.send(`${ADMIN}/config`)).document.claims.template
    const { claims: token } = okJson(await member.send('/api/_guard/session'))
    const answer = okJson(await preview(live))
    expect(answer.claims).toEqual({ email: token.email, plan: token.plan })
    expect(answer).toMatchObject({ bytes: Buffer.byteLength(JSON.stringify(answer.claims)), limitBytes: 1200 })
  })

  it('keeps a lone shortcode\'s type and interpolates inside text', async () => {
    const answer = okJson(await preview({ isMfa: '{{user.two_factor_enabled}}', who: '{{user.email}} ({{user.roles}})', r: '{{user.roles}}' }))
    expect(answer.claims).toEqual({ isMfa: false, who: 'member@tools.test (["member"])', r: ['member'] })
  })

  it('refuses reserved claims and unknown shortcodes with the field, and an unknown user with 404', async () => {
    const body = expectError(await preview({ exp: 1, x: '{{user.password}}' }), 422, 'invalid_template')
    expect(body.fields.map((field: any) => field.path)).toEqual(['claims.template.exp', 'claims.template.x'])
    expectError(await preview({}, 'user_nobody'), 404, 'user_not_found')
  })
})

describe('simulator', () => {
  /** Paths of every kind: protected, public, ignored, API, rules, and spellings an attacker would try. */
  const PATHS = ['/admin', '/admin/secret', '/dashboard?tab=1', '/public/info', '/health', '/api/secret', '/api/reports/summary', '/api/data/export', '/api/public/ping', '/public/..%2Fadmin/secret', '/ADMIN/secret', '//admin//secret', '/admin;x=1/secret']

  it.each(PATHS)('agrees with the middleware on %s for anonymous, member and admin', async (path) => {
    for (const [client, userId] of [[new CookieClient(), undefined], [member, memberId], [admin, adminId]] as const) {
      const real = await client.send(path)
      const simulated = await simulate({ path, userId })
      const served = real.status < 300 || real.status === 404
      expect({ who: userId ?? 'anonymous', allow: simulated.allow }).toEqual({ who: userId ?? 'anonymous', allow: served })
      if (!simulated.allow) expect(simulated.status).toBe(real.status)
      if (simulated.redirect) expect(simulated.redirect).toBe(real.headers.location)
    }
  })

  it('names the matched rule, the readings and the reason', async () => {
    const answer = await simulate({ path: '/public/..%2Fadmin/secret', userId: memberId })
    expect(answer).toMatchObject({
      allow: false, status: 403, error: 'forbidden', route: 'protected', api: false, version: 1,
      matchedRules: [{ index: 0, pattern: '/admin/**', require: { roles: ['admin'] } }],
      reason: expect.stringContaining('admin'), user: { id: memberId, email: 'member@tools.test', roles: ['member'], enrolled: [] },
    })
    expect(answer.readings).toContain('/admin/secret')
    expect(await simulate({ path: '/admin', method: 'POST' })).toMatchObject({ status: 303, redirect: '/sign-in?redirect_url=%2Fadmin' })
  })

  it('judges an unsaved draft without saving it', async () => {
    const { document, version } = okJson(await admin.send(`${ADMIN}/config`))
    const draft = { ...document, routes: { ...document.routes, public: [...document.routes.public, '/dashboard'] } }
    expect(await simulate({ path: '/dashboard', draft })).toMatchObject({ allow: true, route: 'public', version: 'draft' })
    expect(await simulate({ path: '/dashboard' })).toMatchObject({ allow: false, status: 302, version })
    expect((await rawRequest('/dashboard')).status).toBe(302)
    const unsafe = { ...document, routes: { ...document.routes, rules: [{ pattern: '/admin/**', require: { roles: ['root'] } }] } }
    expect(await simulate({ path: '/admin', userId: adminId, draft: unsafe })).toMatchObject({ allow: false, error: 'forbidden', version: 'draft' })
  })

  it('refuses an invalid draft, a path the middleware would answer 400, and an unknown user', async () => {
    const body = expectError(await admin.send(`${ADMIN}/simulate`, { json: { path: '/', draft: { routes: { public: ['/users/:id'] } } } }), 422, 'invalid_config')
    expect(body.fields[0].path).toBe('routes.public.0')
    expect(expectError(await admin.send(`${ADMIN}/simulate`, { json: { path: '/admin/%zz' } }), 422, 'invalid_request').field).toBe('path')
    expectError(await admin.send(`${ADMIN}/simulate`, { json: { path: 'admin' } }), 422, 'invalid_request')
    expectError(await admin.send(`${ADMIN}/simulate`, { json: { path: '/', userId: 'user_nobody' } }), 404, 'user_not_found')
  })
})

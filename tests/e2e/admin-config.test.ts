/**
 * Editing the live config through the console API: a save is what the very
 * next request is judged by; stale, invalid and unsafe saves are refused and
 * change nothing; history, diff, rollback, export → import; every change is
 * in the audit log with before and after.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'
import { ADMIN, expectError, okJson } from '../support/admin-api'

await setup(fixtureSetup('basic'))

const admin = new CookieClient()
let v1: { version: number; document: any }

const getConfig = async () => okJson(await admin.send(`${ADMIN}/config`))
const put = (version: number, document: unknown) => admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document } })
const withPublic = (document: any, extra: string[]) => ({ ...document, routes: { ...document.routes, public: [...document.routes.public, ...extra] } })

beforeAll(async () => {
  expect((await admin.signUp('admin@config.test')).status).toBe(200)
  v1 = await getConfig()
})

describe('reading and saving', () => {
  it('GET answers the seeded version with its document', () => {
    expect(v1).toMatchObject({ version: 1, createdBy: null, createdAt: expect.any(String) })
    expect(v1.document.routes.rules[0]).toEqual({ pattern: '/admin/**', require: { roles: ['admin'] } })
  })

  it('a save is live for the very next request, and named in the history', async () => {
    expect((await rawRequest('/dashboard')).status).toBe(302)
    const saved = okJson(await put(v1.version, withPublic(v1.document, ['/dashboard'])))
    expect(saved.version).toBe(2)
    expect(saved.document.routes.public).toContain('/dashboard')
    expect((await rawRequest('/dashboard')).status).toBe(200)
    expect(await getConfig()).toMatchObject({ version: 2, createdBy: expect.stringMatching(/^user_/) })
    const { versions } = okJson(await admin.send(`${ADMIN}/config/history`))
    expect(versions.map((entry: any) => entry.version)).toEqual([2, 1])
    expect(versions[0]).toMatchObject({ createdByEmail: 'admin@config.test', note: 'saved in the admin console' })
  })

  it('a save naming an older version gets 409 with the current version and document, and changes nothing', async () => {
    const body = expectError(await put(v1.version, withPublic(v1.document, ['/elsewhere'])), 409, 'stale_version')
    expect(body.currentVersion).toBe(2)
    expect(body.current.routes.public).toContain('/dashboard')
    expect(body.error_description).toMatch(/Reload|re-apply/)
    expect((await getConfig()).version).toBe(2)
  })
})

describe('refused saves', () => {
  it('422 invalid_config names each field; nothing changes', async () => {
    const { document, version } = await getConfig()
    const bad = { ...document, routes: { ...document.routes, public: [...document.routes.public, '/users/:id'], rules: [{ pattern: '/x(.*)', require: {} }] }, claims: { template: { exp: 1, who: '{{user.password}}' } }, extra: true }
    const body = expectError(await put(version, bad), 422, 'invalid_config')
    const paths = body.fields.map((field: any) => field.path)
    expect(paths).toEqual(expect.arrayContaining([`routes.public.${document.routes.public.length}`, 'routes.rules.0.pattern', 'claims.template.exp', 'claims.template.who', 'extra']))
    expect(body.fields.find((field: any) => field.path === 'routes.rules.0.pattern').message).toContain('/x/**')
    expect((await getConfig()).version).toBe(version)
  })

  it('422 unsafe_config: a rule that would lock admins out of /admin', async () => {
    const { document, version } = await getConfig()
    const lockOut = { ...document, routes: { ...document.routes, rules: [{ pattern: '/admin/**', require: { roles: ['superadmin'] } }] } }
    const body = expectError(await put(version, lockOut), 422, 'unsafe_config')
    expect(body.fields).toEqual([{ path: 'routes.rules.0.require.roles', message: expect.stringContaining('Add "admin"') }])
    expect((await getConfig()).version).toBe(version)
    expect((await admin.send('/admin/secret')).body).toBe('TOP-SECRET admin')
  })

  it('422 unsafe_config: switching off the last MFA strategy while MFA is enforced', async () => {
    const { document, version } = await getConfig()
    const off = { ...document, mfa: { ...document.mfa, enforce: 'all', strategies: { totp: false, recovery_code: true, email_code: false, webauthn: false } } }
    const body = expectError(await put(version, off), 422, 'unsafe_config')
    expect(body.fields).toEqual([{ path: 'mfa.strategies', message: expect.stringContaining('Turn on at least one of') }])
    expect((await getConfig()).version).toBe(version)
  })

  it('validate runs the same checks and saves nothing', async () => {
    const { document, version } = await getConfig()
    const check = async (doc: unknown) => okJson(await admin.send(`${ADMIN}/config/validate`, { json: { document: doc } }))
    expect(await check(document)).toEqual({ ok: true, fields: [] })
    expect(await check({ ...document, routes: { ...document.routes, ignored: ['admin'] } })).toMatchObject({ ok: false, kind: 'invalid', fields: [{ path: 'routes.ignored.0' }] })
    expect(await check({ ...document, routes: { ...document.routes, rules: [{ pattern: '/**', require: { roles: ['member'] } }] } })).toMatchObject({ ok: false, kind: 'unsafe' })
    expect((await getConfig()).version).toBe(version)
  })
})

describe('history', () => {
  it('shows any version and the diff between two', async () => {
    expect(okJson(await admin.send(`${ADMIN}/config/versions/1`))).toMatchObject({ version: 1, document: v1.document, note: 'seeded from nuxt.config.ts', createdBy: null })
    const diff = okJson(await admin.send(`${ADMIN}/config/diff?from=1&to=2`))
    expect(diff).toEqual({ from: 1, to: 2, changes: [{ path: `routes.public.${v1.document.routes.public.length}`, kind: 'added', after: '/dashboard' }] })
    expect(okJson(await admin.send(`${ADMIN}/config/diff?from=2&to=1`)).changes).toEqual([{ path: `routes.public.${v1.document.routes.public.length}`, kind: 'removed', before: '/dashboard' }])
  })

  it('rollback saves a new version with the old content, live at once; a stale one gets 409', async () => {
    const { version } = await getConfig()
    expectError(await admin.send(`${ADMIN}/config/rollback`, { json: { version: 1, expectedVersion: version - 1 } }), 409, 'stale_version')
    const rolled = okJson(await admin.send(`${ADMIN}/config/rollback`, { json: { version: 1, expectedVersion: version } }))
    expect(rolled).toEqual({ version: version + 1, document: v1.document, effect: expect.objectContaining({ when: 'next_request' }) })
    expect((await rawRequest('/dashboard')).status).toBe(302)
    expect(okJson(await admin.send(`${ADMIN}/config/history`)).versions[0]).toMatchObject({ version: version + 1, note: 'rolled back to v1' })
    expectError(await admin.send(`${ADMIN}/config/rollback`, { json: { version: 99, expectedVersion: version + 1 } }), 404, 'version_not_found')
  })

  it('export → import round trip: the imported version has the exported content', async () => {
    const live = await getConfig()
    const response = await admin.send(`${ADMIN}/config/export`)
    expect(response.headers['content-disposition']).toBe(`attachment; filename="nuxt-guard-config-v${live.version}.json"`)
    const exported = okJson(response)
    expect(exported).toEqual({ version: live.version, ...live.document })
    const imported = okJson(await admin.send(`${ADMIN}/config/import`, { json: { version: live.version, document: exported } }))
    expect(imported).toEqual({ version: live.version + 1, document: live.document, effect: expect.objectContaining({ when: 'next_request' }) })
    expect(okJson(await admin.send(`${ADMIN}/config/export`))).toEqual({ ...exported, version: live.version + 1 })
    expect(okJson(await admin.send(`${ADMIN}/config/history`)).versions[0].note).toBe('imported')
  })

  it('import is validated by the same schema and checks, and names the version it replaces', async () => {
    const live = await getConfig()
    expectError(await admin.send(`${ADMIN}/config/import`, { json: { version: live.version, document: { routes: { mode: 'everything' } } } }), 422, 'invalid_config')
    expectError(await admin.send(`${ADMIN}/config/import`, { json: { version: live.version, document: { routes: { rules: [{ pattern: '/admin', require: { roles: ['x'] } }] } } } }), 422, 'unsafe_config')
    expectError(await admin.send(`${ADMIN}/config/import`, { json: { version: live.version - 1, document: live.document } }), 409, 'stale_version')
    expect((await getConfig()).version).toBe(live.version)
  })
})

describe('audit', () => {
  it('records every config change with who, when, what, before and after', async () => {
    const { entries } = okJson(await admin.send(`${ADMIN}/audit?limit=10`))
    const actions = entries.map((entry: any) => entry.action)
    expect(actions.slice(0, 3)).toEqual(['config.import', 'config.rollback', 'config.save'])
    const [imported, rolledBack, saved] = entries
    for (const entry of [imported, rolledBack, saved]) {
      expect(entry).toMatchObject({ actorId: expect.stringMatching(/^user_/), actorEmail: 'admin@config.test', at: expect.any(String), ip: expect.any(String) })
    }
    expect(saved).toMatchObject({ target: 'config:v2', before: { version: 1, document: v1.document }, after: { version: 2 } })
    expect(saved.after.document.routes.public).toContain('/dashboard')
    expect(rolledBack).toMatchObject({ target: 'config:v3', before: { version: 2 }, after: { version: 3, document: v1.document, rolledBackTo: 1 } })
    expect(imported).toMatchObject({ after: { version: 4, importedFrom: 3 } })
    expect(actions).not.toContain('config.validate')
  })

  it('pages back with nextBefore', async () => {
    const first = okJson(await admin.send(`${ADMIN}/audit?limit=2`))
    expect(first.entries).toHaveLength(2)
    const second = okJson(await admin.send(`${ADMIN}/audit?limit=2&before=${first.nextBefore}`))
    expect(second.entries[0].id).toBeLessThan(first.entries[1].id)
  })
})

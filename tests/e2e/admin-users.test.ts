/**
 * Users in the console: list and search, roles (never the last admin away;
 * tokens already issued keep their roles until they refresh), revoking a
 * user's sessions (their tokens stop at once), resetting MFA — each audited.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { ADMIN, expectError, okJson } from '../support/admin-api'
import { enrollTotp } from '../support/admin-mfa'

await setup(fixtureSetup('basic'))

const admin = new CookieClient()
const ada = new CookieClient()
const bob = new CookieClient()
const ids = { admin: '', ada: '', bob: '' }

const users = async (query = '') => okJson(await admin.send(`${ADMIN}/users${query}`))
const setRoles = (id: string, roles: unknown) => admin.send(`${ADMIN}/users/${id}/roles`, { method: 'PUT', json: { roles } })
const latestAudit = async () => okJson(await admin.send(`${ADMIN}/audit?limit=1`)).entries[0]

beforeAll(async () => {
  ids.admin = okJson(await admin.signUp('root@users.test')).userId
  ids.ada = okJson(await ada.signUp('ada@users.test')).userId
  ids.bob = okJson(await bob.signUp('Bob_Smith@Users.test')).userId
})

describe('list and search', () => {
  it('lists users oldest first with roles, factors and live sessions, and the total', async () => {
    const page = await users()
    expect(page.total).toBe(3)
    expect(page.users[0]).toEqual({
      id: ids.admin, email: 'root@users.test', roles: ['admin'], createdAt: expect.any(String), factors: [], activeSessions: 1,
      disabled: false, disabledAt: null, disabledReason: null, disabledUntil: null,
    })
    expect(page.users.map((user: any) => user.email)).toEqual(['root@users.test', 'ada@users.test', 'bob_smith@users.test'])
  })

  it('searches by email substring, case-insensitively, and pages', async () => {
    expect((await users('?q=BOB_')).users.map((user: any) => user.id)).toEqual([ids.bob])
    expect((await users('?q=%25')).total).toBe(0)
    const second = await users('?limit=1&offset=1')
    expect([second.total, second.users.map((user: any) => user.id)]).toEqual([3, [ids.ada]])
  })
})

describe('roles', () => {
  it('never takes the admin role from the last admin', async () => {
    const body = expectError(await setRoles(ids.admin, ['member']), 409, 'last_admin')
    expect(body.error_description).toContain('give another user the admin role first')
    expect((await users('?q=root')).users[0].roles).toEqual(['admin'])
  })

  it('refuses a role the config does not know, naming the field', async () => {
    const body = expectError(await setRoles(ids.ada, ['admn']), 422, 'invalid_request')
    expect(body.field).toBe('roles')
    expect(body.error_description).toContain('"admn"')
  })

  it('changes roles, says when they take effect, and audits before and after', async () => {
    const changed = okJson(await setRoles(ids.ada, ['admin', 'member', 'admin']))
    expect(changed).toMatchObject({ id: ids.ada, email: 'ada@users.test', roles: ['admin', 'member'], factors: [], activeSessions: 1, effective: 'next_request', effectiveWithinSeconds: 0 })
    // Live (issue 11): her signed-in session is judged by the new roles at its very next request; a new sign-in carries them too.
    expect((await ada.send('/admin/secret')).body).toBe('TOP-SECRET admin')
    const fresh = new CookieClient()
    await fresh.signIn('ada@users.test')
    expect((await fresh.send('/admin/secret')).body).toBe('TOP-SECRET admin')
    expect(await latestAudit()).toMatchObject({
      action: 'user.roles', target: ids.ada, actorId: ids.admin, actorEmail: 'root@users.test',
      before: { email: 'ada@users.test', roles: ['member'] }, after: { roles: ['admin', 'member'] },
    })
  })
})

describe('public metadata', () => {
  const setMetadata = (id: string, publicMetadata: unknown) => admin.send(`${ADMIN}/users/${id}/metadata`, { method: 'PUT', json: { publicMetadata } })

  it('an admin sets it; the preview and the next sign-in\'s token carry it through {{user.public_metadata.plan}}', async () => {
    const changed = okJson(await setMetadata(ids.bob, { plan: 'pro', seats: 5 }))
    expect(changed).toMatchObject({ id: ids.bob, publicMetadata: { plan: 'pro', seats: 5 }, effective: 'next_request', effectiveWithinSeconds: 0 })
    const preview = okJson(await admin.send(`${ADMIN}/claims/preview`, { json: { template: { plan: '{{user.public_metadata.plan}}' }, userId: ids.bob } }))
    expect(preview.claims).toEqual({ plan: 'pro' })
    const fresh = new CookieClient()
    await fresh.signIn('Bob_Smith@Users.test')
    expect(okJson(await fresh.send('/api/_guard/session')).claims.plan).toBe('pro')
    await fresh.send('/api/_guard/sign-out', { json: {} })
    expect(await latestAudit()).toMatchObject({
      action: 'user.metadata', target: ids.bob, before: { publicMetadata: {} }, after: { publicMetadata: { plan: 'pro', seats: 5 } },
    })
  })

  it('refuses what is not a JSON object, or too big to travel in tokens, and changes nothing', async () => {
    for (const bad of [['pro'], 'pro', null]) expectError(await setMetadata(ids.bob, bad), 422, 'invalid_request')
    const huge = expectError(await setMetadata(ids.bob, { notes: 'x'.repeat(5_000) }), 422, 'invalid_request')
    expect(huge.error_description).toContain('4096 bytes')
    expectError(await setMetadata('user_x', {}), 404, 'user_not_found')
    const preview = okJson(await admin.send(`${ADMIN}/claims/preview`, { json: { template: { plan: '{{user.public_metadata.plan}}' }, userId: ids.bob } }))
    expect(preview.claims).toEqual({ plan: 'pro' })
  })

  it('a member cannot set anyone\'s metadata, not even their own', async () => {
    expectError(await bob.send(`${ADMIN}/users/${ids.bob}/metadata`, { method: 'PUT', json: { publicMetadata: { plan: 'enterprise' } } }), 403, 'forbidden')
  })
})

describe('sessions and MFA', () => {
  it('revoking a user\'s sessions stops every one of their tokens at once', async () => {
    const second = new CookieClient()
    await second.signIn('Bob_Smith@Users.test')
    expect((await bob.send('/api/secret')).status).toBe(200)
    expect((await second.send('/api/secret')).status).toBe(200)
    expect((await users('?q=bob')).users[0].activeSessions).toBe(2)

    expect(okJson(await admin.send(`${ADMIN}/users/${ids.bob}/revoke-sessions`, { json: {} }))).toEqual({ revoked: 2 })
    for (const client of [bob, second]) expectError(await client.send('/api/secret'), 401, 'unauthenticated')
    expect((await users('?q=bob')).users[0].activeSessions).toBe(0)
    expect(await latestAudit()).toMatchObject({ action: 'user.revoke_sessions', target: ids.bob, before: { activeSessions: 2 }, after: { activeSessions: 0, revoked: 2 } })
    expect(okJson(await admin.send(`${ADMIN}/users/${ids.bob}/revoke-sessions`, { json: {} }))).toEqual({ revoked: 0 })
  })

  it('resets a user\'s MFA: every factor goes, the list and the audit say which', async () => {
    await enrollTotp(ada)
    expect((await users('?q=ada')).users[0].factors).toEqual(['totp', 'recovery_code'])
    expect(okJson(await admin.send(`${ADMIN}/users/${ids.ada}/reset-mfa`, { json: {} }))).toEqual({ removed: 1, effective: 'next_request', effectiveWithinSeconds: 0 })
    expect((await users('?q=ada')).users[0].factors).toEqual([])
    expect(await latestAudit()).toMatchObject({ action: 'user.reset_mfa', target: ids.ada, before: { factors: ['totp', 'recovery_code'] }, after: { factors: [], removed: 1 } })
    expect(okJson(await admin.send(`${ADMIN}/users/${ids.ada}/reset-mfa`, { json: {} })).removed).toBe(0)
  })
})

/**
 * Admins manage people over HTTP, from the attacker's side: a disabled user's
 * already-issued token (cookie or Bearer copy) is refused at its next request
 * and their sign-in says "disabled" only after the right password; an
 * invitation link works once, for its own address, and not after it is
 * revoked; unlock lets a throttled owner in; delete ends the account. Each
 * action is in the audit log with before and after. With
 * GUARD_TEST_DATABASE_URL, also across two instances on one PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup, testSecret } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { ADMIN, expectError, okJson } from '../support/admin-api'
import { Browser, ok, startInstance, stopInstance, type Instance } from '../support/instances'
import { postgres } from '../support/backends'

// Behind one trusted proxy, so a test can speak from a client address of its own (X-Forwarded-For).
await setup(fixtureSetup('basic', { NUXT_GUARD_TRUST_PROXY: '1', NUXT_PUBLIC_GUARD_APP_NAME: 'Acme People' }))

const PASSWORD = 'correct horse battery'
const admin = new CookieClient()
let adminId = ''

const audit = async (action: string) => okJson(await admin.send(`${ADMIN}/audit?limit=50`)).entries.find((entry: { action: string }) => entry.action === action)
const disable = (id: string, json: Record<string, unknown> = { reason: 'Left the team' }) => admin.send(`${ADMIN}/users/${id}/disable`, { json })
const bearer = (token: string) => new CookieClient().send('/api/_guard/session', { headers: { authorization: `Bearer ${token}` } })

/** The invitation token in the newest outbox message to `to`. */
async function invitationToken(to: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const { messages } = okJson<{ messages: { to: string; subject: string; text: string }[] }>(await admin.send(`${ADMIN}/outbox`))
    const found = messages.find(message => message.to === to && message.subject === 'Acme People: You are invited')
    if (found) return new URL(/https?:\/\/\S+/.exec(found.text)![0]).searchParams.get('token')!
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`no invitation email to ${to}`)
}

beforeAll(async () => {
  adminId = okJson(await admin.signUp('root@people.test')).userId
})

describe('disable and enable', () => {
  it('a disabled user\'s issued token is refused at the next request; sign-in says why only after the right password; enable lets them back', async () => {
    const member = new CookieClient()
    const memberId = okJson(await member.signUp('dee@people.test')).userId
    const copiedToken = member.cookies.get('guard_session')!
    expect((await member.send('/api/_guard/session')).status).toBe(200)
    expect((await bearer(copiedToken)).status).toBe(200)

    const disabled = okJson(await disable(memberId, { reason: 'Left the team' }))
    expect(disabled).toMatchObject({ id: memberId, disabled: true, disabledReason: 'Left the team', disabledUntil: null, revokedSessions: 1, activeSessions: 0 })
    expect((await member.send('/api/_guard/session')).status).toBe(401)
    expect((await bearer(copiedToken)).status).toBe(401)

    expectError(await new CookieClient().signIn('dee@people.test', 'not the password'), 401, 'invalid_credentials')
    const refused = expectError(await new CookieClient().signIn('dee@people.test', PASSWORD), 403, 'user_disabled')
    expect(refused).toEqual({ error: 'user_disabled', error_description: 'This account is disabled. Contact your administrator.', disabledUntil: null })

    const listed = okJson(await admin.send(`${ADMIN}/users?q=dee@`)).users[0]
    expect(listed).toMatchObject({ disabled: true, disabledReason: 'Left the team', disabledUntil: null })
    expect(await audit('user.disable')).toMatchObject({
      target: memberId, before: { email: 'dee@people.test', disabled: false }, after: { email: 'dee@people.test', disabled: true, disabledReason: 'Left the team', revokedSessions: 1 },
    })

    expect(okJson(await admin.send(`${ADMIN}/users/${memberId}/enable`, { json: {} }))).toMatchObject({ disabled: false, disabledReason: null })
    expect(await audit('user.enable')).toMatchObject({ target: memberId, before: { disabled: true }, after: { disabled: false, disabledReason: null } })
    expect((await new CookieClient().signIn('dee@people.test', PASSWORD)).status).toBe(200)
  })

  it('with an end, sign-in says until when', async () => {
    const id = okJson(await new CookieClient().signUp('till@people.test')).userId
    const until = new Date(Date.now() + 86_400_000).toISOString()
    okJson(await disable(id, { reason: 'Break', until }))
    const refused = expectError(await new CookieClient().signIn('till@people.test', PASSWORD), 403, 'user_disabled')
    expect(refused.disabledUntil).toBe(until)
    expect(refused.error_description).toContain(`until ${until.slice(0, 16).replace('T', ' ')} UTC`)
  })

  it('refuses yourself, an end in the past, a missing or too long reason', async () => {
    const id = okJson(await new CookieClient().signUp('edge@people.test')).userId
    expectError(await disable(adminId), 409, 'own_account')
    expect(expectError(await disable(id, { reason: 'x', until: '2001-01-01T00:00:00Z' }), 422, 'invalid_request').field).toBe('until')
    expect(expectError(await disable(id, { reason: '' }), 422, 'invalid_request').field).toBe('reason')
    expect(expectError(await disable(id, { reason: 'x'.repeat(501) }), 422, 'invalid_request').field).toBe('reason')
    expect(expectError(await disable(id, { reason: 'x', until: 'next tuesday' }), 422, 'invalid_request').field).toBe('until')
  })
})

describe('invitations', () => {
  const accept = (token: string, client = new CookieClient(), password = 'violet tractor umbrella 42') =>
    client.send('/api/_guard/invitations/accept', { json: { token, password } })

  it('invite → email → accept: signed in with the invited roles; the link works once', async () => {
    const invited = okJson(await admin.send(`${ADMIN}/invitations`, { json: { email: 'Ivy@People.test', roles: ['member'] } }))
    expect(invited).toMatchObject({ replaced: 0, invitation: { email: 'ivy@people.test', roles: ['member'], invitedBy: adminId } })
    expect(JSON.stringify(invited)).not.toMatch(/token/i)
    expect(okJson(await admin.send(`${ADMIN}/invitations`)).invitations.map((i: { email: string }) => i.email)).toContain('ivy@people.test')
    expect(await audit('user.invite')).toMatchObject({ target: invited.invitation.id, after: { email: 'ivy@people.test', roles: ['member'] } })

    const token = await invitationToken('ivy@people.test')
    expect(okJson(await new CookieClient().send('/api/_guard/invitations/preview', { json: { token } }))).toMatchObject({ email: 'ivy@people.test' })
    const ivy = new CookieClient()
    const signedIn = okJson(await accept(token, ivy))
    expect(signedIn).toMatchObject({ roles: ['member'], redirectTo: '/' })
    expect(okJson(await ivy.send('/api/_guard/session'))).toMatchObject({ userId: signedIn.userId })
    expect(okJson(await admin.send(`${ADMIN}/invitations`)).invitations.map((i: { email: string }) => i.email)).not.toContain('ivy@people.test')

    expectError(await accept(token), 400, 'invalid_invitation')
    expectError(await new CookieClient().send('/api/_guard/invitations/preview', { json: { token } }), 400, 'invalid_invitation')
    expect((await new CookieClient().signIn('ivy@people.test', 'violet tractor umbrella 42')).status).toBe(200)
  })

  it('refuses an address with an account; a revoked link, a replaced link and a made-up token open nothing', async () => {
    expect(expectError(await admin.send(`${ADMIN}/invitations`, { json: { email: 'root@people.test' } }), 409, 'email_taken').field).toBe('email')
    const first = okJson(await admin.send(`${ADMIN}/invitations`, { json: { email: 'rex@people.test' } }))
    const firstToken = await invitationToken('rex@people.test')
    expect(okJson(await admin.send(`${ADMIN}/invitations/${first.invitation.id}`, { method: 'DELETE' }))).toEqual({ revoked: true })
    expectError(await admin.send(`${ADMIN}/invitations/${first.invitation.id}`, { method: 'DELETE' }), 404, 'invitation_not_found')
    expectError(await accept(firstToken), 400, 'invalid_invitation')

    okJson(await admin.send(`${ADMIN}/invitations`, { json: { email: 'rex@people.test' } }))
    const secondToken = await invitationToken('rex@people.test')
    expect(okJson(await admin.send(`${ADMIN}/invitations`, { json: { email: 'rex@people.test' } })).replaced).toBe(1)
    const thirdToken = await invitationToken('rex@people.test')
    expectError(await accept(secondToken), 400, 'invalid_invitation')
    expectError(await accept('A'.repeat(43)), 400, 'invalid_invitation')
    expect(okJson(await accept(thirdToken)).roles).toEqual(['member'])
  })

  it('the acceptance page is public', async () => {
    const page = await new CookieClient().send('/accept-invitation?token=nothing-here-at-all-0000')
    expect(page.status).toBe(200)
    expect(page.body).toContain('Accept your invitation · Acme People')
  })
})

describe('create, unlock and delete', () => {
  it('creates an account with a password that passes the strength check, audited', async () => {
    const weak = await admin.send(`${ADMIN}/users`, { json: { email: 'made@people.test', password: 'password1' } })
    expect([weak.status, weak.json().field]).toEqual([422, 'password'])
    const created = okJson(await admin.send(`${ADMIN}/users`, { json: { email: 'Made@People.test', password: 'saffron glacier teapot 63', roles: ['member'] } }))
    expect(created).toMatchObject({ email: 'made@people.test', roles: ['member'], disabled: false, activeSessions: 0 })
    expect(await audit('user.create')).toMatchObject({ target: created.id, before: null, after: { email: 'made@people.test', roles: ['member'], emailVerified: false } })
    expect((await new CookieClient().signIn('made@people.test', 'saffron glacier teapot 63')).status).toBe(200)
    expectError(await admin.send(`${ADMIN}/users`, { json: { email: 'made@people.test', password: 'saffron glacier teapot 63' } }), 409, 'email_taken')
  })

  it('unlock: a throttled owner signs in at once from the throttled address', async () => {
    const id = okJson(await new CookieClient().signUp('lock@people.test')).userId
    const from = { 'x-forwarded-for': '198.51.100.77' }
    for (let i = 0; i < 10; i++) expectError(await new CookieClient().send('/api/_guard/sign-in', { json: { email: 'lock@people.test', password: 'guess' }, headers: from }), 401, 'invalid_credentials')
    const throttled = await new CookieClient().send('/api/_guard/sign-in', { json: { email: 'lock@people.test', password: PASSWORD }, headers: from })
    expect([throttled.status, throttled.json().error, Number(throttled.headers['retry-after']) > 0]).toEqual([429, 'too_many_attempts', true])
    const cleared = okJson(await admin.send(`${ADMIN}/users/${id}/unlock`, { json: {} }))
    expect(cleared.signInFailures).toBe(10)
    expect(await audit('user.unlock')).toMatchObject({ target: id, before: { email: 'lock@people.test', signInFailures: 10 }, after: { signInFailures: 0, rateLimits: [] } })
    expect((await new CookieClient().send('/api/_guard/sign-in', { json: { email: 'lock@people.test', password: PASSWORD }, headers: from })).status).toBe(200)
  })

  it('delete: the account\'s issued token is refused at its next request; never your own account', async () => {
    const gone = new CookieClient()
    const id = okJson(await gone.signUp('gone@people.test')).userId
    expect((await gone.send('/api/_guard/session')).status).toBe(200)
    expectError(await admin.send(`${ADMIN}/users/${adminId}`, { method: 'DELETE' }), 409, 'own_account')
    expect(okJson(await admin.send(`${ADMIN}/users/${id}`, { method: 'DELETE' }))).toEqual({ deleted: true, revokedSessions: 1 })
    expect((await gone.send('/api/_guard/session')).status).toBe(401)
    expectError(await new CookieClient().signIn('gone@people.test', PASSWORD), 401, 'invalid_credentials')
    expectError(await admin.send(`${ADMIN}/users/${id}`, { method: 'DELETE' }), 404, 'user_not_found')
    expect(okJson(await admin.send(`${ADMIN}/users?q=gone@`)).total).toBe(0)
  })
})

const DATABASE_URL = process.env.GUARD_TEST_DATABASE_URL

describe.skipIf(!DATABASE_URL)('two instances on one PostgreSQL', () => {
  const backend = postgres(DATABASE_URL ?? '')
  let a: Instance
  let b: Instance
  const root = new Browser()
  const member = new Browser()

  beforeAll(async () => {
    const { url } = await backend.freshStore()
    const secret = testSecret()
    ;[a, b] = await Promise.all([startInstance(url!, secret), startInstance(url!, secret)])
    await ok(root.send(a, '/api/_guard/sign-up', { json: { email: 'root@two.test', password: PASSWORD } }))
  }, 180_000)
  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)])
    await backend.cleanup()
  }, 30_000)

  it('disabled through A: the member\'s token is refused by B at once (its cache included), and B refuses the sign-in', async () => {
    const { userId } = await ok(member.send(b, '/api/_guard/sign-up', { json: { email: 'member@two.test', password: PASSWORD } }))
    expect((await member.send(b, '/api/_guard/session')).status).toBe(200) // B has verified and cached this token
    await ok(root.send(a, `${ADMIN}/users/${userId}/disable`, { json: { reason: 'Two instances' } }))
    const started = performance.now()
    let status = 200
    while (status === 200 && performance.now() - started < 2_000) status = (await member.send(b, '/api/_guard/session')).status
    console.info(`[people] disabled through A, refused by B after ${(performance.now() - started).toFixed(1)} ms`)
    expect(status).toBe(401)
    expect(performance.now() - started).toBeLessThan(500)
    const refused = await new Browser().send(b, '/api/_guard/sign-in', { json: { email: 'member@two.test', password: PASSWORD } })
    expect([refused.status, refused.json().error]).toEqual([403, 'user_disabled'])
  })
})

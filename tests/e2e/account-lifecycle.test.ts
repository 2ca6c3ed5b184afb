/**
 * Changing the password and deleting the account over HTTP, from the
 * attacker's side: a wrong current password (422, and the same gate as any
 * state-changing guard route: same origin, JSON only), a copied cookie of a
 * session the change signed out, a change or a deletion from a session that
 * has not completed the account's second factor (403 mfa_required with a
 * step-up token the challenge accepts), the deleted user's cookies refused
 * at the very next request and their password at sign-in, the last admin
 * refused, and the audit log keeping the deletion without the address.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { appCode, challenge, enrollTotpOverHttp } from '../support/mfa-http'
import { okJson } from '../support/admin-api'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'off' } }) }))

const admin = new CookieClient()
const PASSWORD = 'correct horse battery'
const changePassword = (client: CookieClient, json: Record<string, unknown>, headers?: Record<string, string>) =>
  client.send('/api/_guard/account/password', { method: 'PUT', json: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase', ...json }, headers })
const deleteAccount = (client: CookieClient, json: Record<string, unknown>) => client.send('/api/_guard/account', { method: 'DELETE', json })
/** A client holding only a copy of `cookies` taken from another client now. */
function copyOf(client: CookieClient, names = ['guard_session', 'guard_refresh']): CookieClient {
  const copy = new CookieClient()
  copy.cookies.absorb(names.filter(name => client.cookies.get(name)).map(name => `${name}=${client.cookies.get(name)}; Path=/`))
  return copy
}
async function mailTo(to: string, subject: string): Promise<{ text: string } | undefined> {
  for (let i = 0; i < 50; i++) {
    const { messages } = okJson<{ messages: { to: string; subject: string; text: string }[] }>(await admin.send('/api/_guard/admin/outbox'))
    const found = messages.find(message => message.to === to && message.subject.endsWith(subject))
    if (found) return found
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return undefined
}

beforeAll(async () => {
  expect((await admin.signUp('admin@life.test')).status).toBe(200)
})

describe('PUT /api/_guard/account/password', () => {
  it('changes it: this session goes on with new cookies, the other devices and copied cookies are out, the user is told', async () => {
    const pat = new CookieClient()
    expect((await pat.signUp('pat@life.test')).status).toBe(200)
    const laptop = new CookieClient()
    expect((await laptop.signIn('pat@life.test')).status).toBe(200)
    expect((await laptop.send('/api/_guard/session')).status).toBe(200)
    const stolen = copyOf(pat, ['guard_refresh'])
    const laptopCopy = copyOf(laptop)

    const changed = await changePassword(pat, {})
    expect([changed.status, changed.json()]).toEqual([200, { ok: true, revokedSessions: 1 }])
    expect(changed.headers['set-cookie']?.toString()).toContain('guard_refresh=')
    expect((await pat.send('/api/_guard/session')).status).toBe(200)
    for (const out of [laptop, laptopCopy, stolen]) expect((await out.send('/api/_guard/session')).status).toBe(401)
    expect((await new CookieClient().signIn('pat@life.test')).status).toBe(401)
    expect((await new CookieClient().signIn('pat@life.test', 'a brand new passphrase')).status).toBe(200)
    expect(await mailTo('pat@life.test', 'Your password was changed')).toBeDefined()
  })

  it('refuses a wrong current password (422, naming the field), a same password, and requests from elsewhere or not in JSON', async () => {
    const sam = new CookieClient()
    expect((await sam.signUp('sam@life.test')).status).toBe(200)
    const wrong = await changePassword(sam, { currentPassword: 'not my password' })
    expect([wrong.status, wrong.json()]).toEqual([422, expect.objectContaining({ error: 'incorrect_password', field: 'currentPassword' })])
    const same = await changePassword(sam, { newPassword: PASSWORD })
    expect([same.status, same.json().field]).toEqual([422, 'newPassword'])
    const crossSite = await changePassword(sam, {}, { origin: 'https://evil.example' })
    expect([crossSite.status, crossSite.json().error]).toEqual([403, 'cross_origin_request'])
    const form = await sam.send('/api/_guard/account/password', { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, json: undefined })
    expect(form.status).toBe(415)
    expect((await new CookieClient().send('/api/_guard/account/password', { method: 'PUT', json: { currentPassword: PASSWORD, newPassword: 'whatever passphrase' } })).status).toBe(401)
    expect((await new CookieClient().signIn('sam@life.test')).status).toBe(200)
  })

  it('with an authenticator app, a session that has not completed it gets 403 mfa_required with a step-up token; after the challenge it works', async () => {
    const kim = new CookieClient()
    expect((await kim.signUp('kim@life.test')).status).toBe(200)
    const { secret } = await enrollTotpOverHttp(kim)
    const phone = new CookieClient()
    expect((await phone.signIn('kim@life.test')).status).toBe(200)
    const refused = await changePassword(phone, {})
    const body = refused.json()
    expect([refused.status, body.error, body.mfa_requirements]).toEqual([403, 'mfa_required', { challenge: [{ type: 'totp' }, { type: 'recovery_code' }] }])
    expect(typeof body.mfa_token).toBe('string')
    expect((await challenge(phone, { factor: 'totp', code: appCode(secret, 1), mfaToken: body.mfa_token })).status).toBe(200)
    expect((await changePassword(phone, {})).status).toBe(200)
  })
})

describe('DELETE /api/_guard/account', () => {
  it('erases the account: its cookies are refused at the next request, its password at sign-in, a goodbye email goes out, the audit log keeps it without the address', async () => {
    const lee = new CookieClient()
    expect((await lee.signUp('lee@life.test')).status).toBe(200)
    const tablet = new CookieClient()
    expect((await tablet.signIn('lee@life.test')).status).toBe(200)
    expect((await tablet.send('/api/_guard/session')).status).toBe(200)
    const copied = copyOf(lee)
    const { userId } = okJson<{ userId: string }>(await lee.send('/api/_guard/session'))

    const mistyped = await deleteAccount(lee, { confirmEmail: 'lee@life.tst', currentPassword: PASSWORD })
    expect([mistyped.status, mistyped.json().field]).toEqual([422, 'confirmEmail'])
    const wrong = await deleteAccount(lee, { confirmEmail: 'lee@life.test', currentPassword: 'guess' })
    expect([wrong.status, wrong.json().error]).toEqual([422, 'incorrect_password'])

    const deleted = await deleteAccount(lee, { confirmEmail: 'LEE@life.test', currentPassword: PASSWORD })
    expect([deleted.status, deleted.json()]).toEqual([200, { deleted: true }])
    expect(lee.cookies.get('guard_session')).toBeUndefined()
    for (const out of [tablet, copied]) expect((await out.send('/api/_guard/session')).status).toBe(401)
    expect((await new CookieClient().signIn('lee@life.test')).status).toBe(401)
    expect((await mailTo('lee@life.test', 'Your account was deleted'))?.text).toContain('at your request')

    const { entries } = okJson<{ entries: { action: string; actorId: string; target: string; after: unknown; before: unknown }[] }>(await admin.send('/api/_guard/admin/audit?limit=200'))
    expect(entries.find(entry => entry.action === 'user.deleted' && entry.target === userId)).toMatchObject({ actorId: userId, after: { by: 'self', revokedSessions: 2 } })
    expect(JSON.stringify(entries)).not.toContain('lee@life.test')
  })

  it('with an authenticator app, needs it completed in this session recently (the password does not replace it)', async () => {
    const ari = new CookieClient()
    expect((await ari.signUp('ari@life.test')).status).toBe(200)
    const { secret } = await enrollTotpOverHttp(ari)
    const other = new CookieClient()
    expect((await other.signIn('ari@life.test')).status).toBe(200)
    const refused = await deleteAccount(other, { confirmEmail: 'ari@life.test', currentPassword: PASSWORD })
    expect([refused.status, refused.json().error]).toEqual([403, 'mfa_required'])
    expect((await challenge(other, { factor: 'totp', code: appCode(secret, 1), mfaToken: refused.json().mfa_token })).status).toBe(200)
    expect((await deleteAccount(other, { confirmEmail: 'ari@life.test' })).status).toBe(200)
    expect((await ari.send('/api/_guard/session')).status).toBe(401)
  })

  it('refuses the last admin', async () => {
    const refused = await deleteAccount(admin, { confirmEmail: 'admin@life.test', currentPassword: PASSWORD })
    expect([refused.status, refused.json().error]).toEqual([409, 'last_admin'])
    expect((await admin.send('/api/_guard/session')).status).toBe(200)
  })
})

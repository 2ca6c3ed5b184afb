/**
 * Over HTTP, from the attacker's and the operator's side:
 * - cookies copied from a password-only session before its owner completes
 *   TOTP are worthless afterwards (the session was renewed: new refresh
 *   secret, new token);
 * - a password-only session cannot read or change the account once the user
 *   has a second factor (403 `mfa_required`, like the factor endpoints);
 * - an admin cannot save data that would make a user's token too large:
 *   metadata and template saves answer 422 naming the claim (and the user).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { ADMIN, expectError, okJson } from '../support/admin-api'
import { appCode, challenge, enrollTotpOverHttp } from '../support/mfa-http'

await setup(fixtureSetup('basic'))

const SESSION = '/api/_guard/session'
const admin = new CookieClient()
const ids = { admin: '', victim: '' }
const VICTIM = 'victim@renewal.test'
let totpSecret = ''
let recoveryCodes: string[] = []

/** A second client holding a copy of `client`'s cookies, as an attacker who copied them would. */
function copyOf(client: CookieClient, only?: string[]): CookieClient {
  const copy = new CookieClient()
  for (const [name, value] of client.cookies) if (!only || only.includes(name)) copy.cookies.set(name, value)
  return copy
}

beforeAll(async () => {
  ids.admin = okJson(await admin.signUp('root@renewal.test')).userId
  const victim = new CookieClient()
  ids.victim = okJson(await victim.signUp(VICTIM)).userId
  const enrolled = await enrollTotpOverHttp(victim)
  totpSecret = enrolled.secret
  recoveryCodes = enrolled.recoveryCodes ?? []
})

/** The victim signed in again with only the password: the second factor is pending in this session. */
async function passwordOnlyVictim(): Promise<CookieClient> {
  const victim = new CookieClient()
  okJson(await victim.signIn(VICTIM))
  expect(okJson(await victim.send(SESSION)).claims.mfa.c).toEqual({})
  return victim
}

describe('a copied pre-MFA session', () => {
  it('its refresh cookie is refused once the owner completed TOTP, and it never shows the factor done', async () => {
    const victim = await passwordOnlyVictim()
    const stolen = copyOf(victim)
    const stolenRefreshOnly = copyOf(victim, ['guard_refresh'])
    expect(stolenRefreshOnly.cookies.size).toBe(1)

    const done = await challenge(victim, { factor: 'totp', code: appCode(totpSecret, 1) })
    expect(done.status, done.body).toBe(200)
    // The owner got a new refresh secret and token.
    expect(victim.cookies.get('guard_refresh')).not.toBe(stolen.cookies.get('guard_refresh'))
    expect(victim.cookies.get('guard_session')).not.toBe(stolen.cookies.get('guard_session'))
    expect(okJson(await victim.send(SESSION)).claims.mfa.c).toHaveProperty('totp')

    // Only the old refresh cookie (the old token expired or dropped): 401, cookies cleared.
    expectError(await stolenRefreshOnly.send(SESSION), 401, 'unauthenticated')
    expectError(await stolenRefreshOnly.send('/api/secret'), 401, 'unauthenticated')
    expect(stolenRefreshOnly.cookies.size).toBe(0)
    // The old token, while it lives, is what it was: password only.
    const stale = okJson(await stolen.send(SESSION))
    expect(stale.claims.mfa.c).toEqual({})
    // ...and it cannot act on the account, though its session has completed TOTP since.
    expectError(await stolen.send('/api/_guard/account/sessions/revoke-others', { method: 'POST', json: {} }), 403, 'mfa_required')
    // Once dropped, the old token cannot be refreshed by its old secret either.
    stolen.cookies.delete('guard_session')
    expectError(await stolen.send(SESSION), 401, 'unauthenticated')

    // The owner's session goes on, renewed.
    expect(okJson(await victim.send('/api/_guard/account/sessions')).sessions.length).toBeGreaterThan(0)
  })
})

describe('the account needs the second factor the user has', () => {
  it('a password-only session gets 403 mfa_required on every account endpoint; the owner\'s MFA sessions stay signed in', async () => {
    const owner = await passwordOnlyVictim()
    // Each TOTP step works once: the owner completes the second factor with a recovery code here.
    okJson(await challenge(owner, { factor: 'recovery_code', code: recoveryCodes[0] }))
    const attacker = await passwordOnlyVictim()
    expectError(await attacker.send('/api/_guard/account/sessions/revoke-others', { method: 'POST', json: {} }), 403, 'mfa_required')
    expectError(await attacker.send('/api/_guard/account/sessions'), 403, 'mfa_required')
    expectError(await attacker.send('/api/_guard/account/devices'), 403, 'mfa_required')
    expectError(await attacker.send('/api/_guard/account/devices/dev_x', { method: 'DELETE' }), 403, 'mfa_required')
    const ownerSessionId = okJson(await owner.send(SESSION)).sessionId
    expectError(await attacker.send(`/api/_guard/account/sessions/${ownerSessionId}`, { method: 'DELETE' }), 403, 'mfa_required')
    // The owner is still signed in, MFA done.
    expect(okJson(await owner.send(SESSION)).claims.mfa.c).toHaveProperty('recovery_code')
    expect(okJson(await owner.send('/api/_guard/account/sessions')).sessions.length).toBeGreaterThan(1)
  })

  it('a user without a second factor keeps using the account endpoints', async () => {
    expect(okJson(await admin.send('/api/_guard/account/sessions')).sessions).toHaveLength(1)
    expect(okJson(await admin.send('/api/_guard/account/sessions/revoke-others', { method: 'POST', json: {} }))).toEqual({ revoked: 0 })
  })
})

describe('claims size is enforced where an admin saves data', () => {
  const big = 'x'.repeat(1_500) // under the 4 KB metadata limit, over the 1200-byte claims limit
  const setMetadata = (id: string, publicMetadata: unknown) => admin.send(`${ADMIN}/users/${id}/metadata`, { method: 'PUT', json: { publicMetadata } })

  it('metadata the live template renders too large is refused with 422 naming the claim; the user still signs in', async () => {
    const body = expectError(await setMetadata(ids.victim, { plan: big }), 422, 'claims_too_large')
    expect(body).toMatchObject({ field: 'publicMetadata', claim: 'plan', limitBytes: 1200 })
    expect(body.error_description).toContain('"plan"')
    okJson(await setMetadata(ids.victim, { plan: 'pro', bio: big })) // bio is not in the template
    // Not an object: said in words a sender can act on (zod's "record" is a JSON object).
    for (const bad of [[1, 2], 'pro', null]) expect(expectError(await setMetadata(ids.victim, bad), 422, 'invalid_request').error_description).toBe('publicMetadata: must be an object')
    const victim = new CookieClient()
    okJson(await victim.signIn(VICTIM))
    expect(okJson(await victim.send(SESSION)).claims.plan).toBe('pro')
  })

  it('a template that would render too large for a real user is refused with 422 naming the claim and the user', async () => {
    const current = okJson(await admin.send(`${ADMIN}/config`))
    const document = { ...current.document, claims: { template: { ...current.document.claims.template, bio: '{{user.public_metadata.bio}}' } } }
    const body = expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: current.version, document } }), 422, 'invalid_config')
    expect(body.fields[0].path).toBe('claims.template.bio')
    expect(body.fields[0].message).toContain(VICTIM)
    // Nothing changed: the admin and the user still sign in.
    expect(okJson(await admin.send(`${ADMIN}/config`)).version).toBe(current.version)
    const victim = new CookieClient()
    okJson(await victim.signIn(VICTIM))
  })
})

/**
 * The breached-password check over HTTP, switched on by the config
 * (account.breachedPasswordCheck) and pointed at a local fake range server by
 * the environment (NUXT_GUARD_BREACHED_PASSWORDS_URL / _TIMEOUT_MS), as an
 * operator would: a breached password is refused at sign-up with the count,
 * a clean one is accepted, and only 5 hex digits of a SHA-1 ever reach the server.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { BREACHED_PASSWORD, CLEAN_PASSWORD, sha1, startFakeRange } from '../support/fake-range'

const fake = await startFakeRange()
await setup(fixtureSetup('basic', {
  NUXT_GUARD_BREACHED_PASSWORDS_URL: `${fake.origin}/range`,
  NUXT_GUARD_BREACHED_PASSWORDS_TIMEOUT_MS: '1500',
  NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'off' }, account: { breachedPasswordCheck: true } }),
}))
afterAll(async () => { await fake.close() })

describe('breached passwords at sign-up', () => {
  it('refuses a password seen in breaches with 422 breached_password, under the password field', async () => {
    const refused = await new CookieClient().signUp('breached@acme.test', BREACHED_PASSWORD)
    expect(refused.status).toBe(422)
    expect(refused.json()).toMatchObject({
      error: 'breached_password', field: 'password', breaches: 3861,
      error_description: 'This password has appeared in 3,861 known data breaches, so attackers try it early. Choose another one.',
    })
    expect(refused.json().fields.password).toBe(refused.json().error_description)
    expect(fake.requests.map(request => request.url)).toEqual([`/range/${sha1(BREACHED_PASSWORD).slice(0, 5)}`])
  })

  it('accepts a password the range does not list; a weak one is refused without asking', async () => {
    fake.requests.length = 0
    expect((await new CookieClient().signUp('clean@acme.test', CLEAN_PASSWORD)).status).toBe(200)
    expect(fake.requests.map(request => request.url)).toEqual([`/range/${sha1(CLEAN_PASSWORD).slice(0, 5)}`])
    expect((await new CookieClient().signUp('weak@acme.test', 'iloveyou12')).json()).toMatchObject({ error: 'weak_password' })
    expect(fake.requests).toHaveLength(1)
  })

  it('lets sign-up through when the range server is slow (fails open)', async () => {
    fake.delayMs = 3_000
    try {
      expect((await new CookieClient().signUp('slow@acme.test', BREACHED_PASSWORD)).status).toBe(200)
    }
    finally { fake.delayMs = 0 }
  })
})

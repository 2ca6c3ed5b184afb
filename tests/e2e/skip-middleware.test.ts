import { describe, expect, it } from 'vitest'
import { setup, startServer } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'

// skipServerMiddleware: true, and server/middleware/guard.ts written by hand
// on guardMiddleware(), as in the "force MFA for all users" recipe.
await setup(fixtureSetup('skip-middleware'))

describe('hand-written guardMiddleware with skipServerMiddleware', () => {
  it('still enforces the live policy: anonymous requests are refused', async () => {
    expect((await rawRequest('/api/protected/data')).status).toBe(401)
    expect((await rawRequest('/dashboard')).status).toBe(302)
  })

  it('without the isMfa claim in the template: "You need to add the `isMfa` claim"', async () => {
    const client = new CookieClient()
    await client.signUp('ada@acme.test')
    const response = await client.send('/api/protected/data')
    expect(response.status).toBe(500)
    expect(response.json().statusMessage).toBe('You need to add the `isMfa` claim to your session token.')
  })

  it('with {"isMfa": "{{user.two_factor_enabled}}"} and no MFA: "You need to enable MFA"', async () => {
    await startServer({ env: { NUXT_GUARD_SEED: JSON.stringify({ claims: { template: { isMfa: '{{user.two_factor_enabled}}' } } }) } })
    const client = new CookieClient()
    await client.signUp('grace@acme.test')
    const session = (await client.send('/api/_guard/session')).json()
    expect(session.claims.isMfa).toBe(false)
    const response = await client.send('/api/protected/data')
    expect(response.status).toBe(500)
    expect(response.json().statusMessage).toBe('You need to enable MFA for your account.')
  })

  it('lets the request through when the handler does not object', async () => {
    const client = new CookieClient()
    await client.signUp('linus@acme.test')
    const response = await client.send('/api/_guard/session')
    expect(response.status).toBe(200)
  })
})

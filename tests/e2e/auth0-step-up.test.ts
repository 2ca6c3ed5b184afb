/**
 * Auth0's step-up route in a built app (tests/fixtures/basic/server/api/auth0):
 * the handler's requireAuth throws MfaRequiredError, the route answers 403
 * with its documented body, the client completes the challenge with the
 * mfa_token (the challenge page takes it from the query), and the retried
 * request succeeds. Then the token cannot be spent again, nor after its
 * session was signed out (404 mfa_token_not_found), and the token errors an
 * app throws answer their own statuses.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { appCode, challenge, enrollTotpOverHttp } from '../support/mfa-http'

await setup(fixtureSetup('basic', {
  NUXT_GUARD_SEED: JSON.stringify({
    // A second factor only where a route or handler asks for one.
    mfa: { enforce: 'rules' },
    routes: {
      mode: 'protect-all',
      public: ['/', '/sign-in', '/sign-up', '/public/**', '/api/public/**'],
      ignored: ['/_nuxt/**', '/favicon.ico', '/__nuxt_error', '/health'],
      api: ['/api/**'],
      rules: [],
    },
  }),
}))

const EMAIL = 'ada@auth0-step-up.test'
let secret: string

beforeAll(async () => {
  const ada = new CookieClient()
  expect((await ada.signUp(EMAIL)).status).toBe(200)
  ;({ secret } = await enrollTotpOverHttp(ada))
})

/** Ada in a new browser: signed in with her password only, so this session has no second factor yet. */
async function freshSession() {
  const client = new CookieClient()
  expect((await client.signIn(EMAIL)).status).toBe(200)
  return client
}

describe('MfaRequiredError → 403 body → challenge → retry', () => {
  it('the 403 body is Auth0\'s, the challenge with its mfa_token completes the step-up, and the retry is served', async () => {
    const laptop = await freshSession()
    const denied = await laptop.send('/api/auth0/protected')
    expect(denied.status).toBe(403)
    const body = denied.json()
    expect(body).toEqual({
      error: 'mfa_required',
      error_description: expect.any(String),
      mfa_token: expect.stringMatching(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/),
      mfa_requirements: { challenge: [{ type: 'totp' }, { type: 'recovery_code' }], enroll: [{ type: 'webauthn' }] },
    })
    // The challenge page takes the token and the way back from its query.
    const page = await laptop.send(`/mfa-challenge?redirect_url=${encodeURIComponent('/api/auth0/protected')}&mfa_token=${encodeURIComponent(body.mfa_token)}`)
    expect(page.status).toBe(200)
    const done = await challenge(laptop, { factor: 'totp', code: appCode(secret, 1), mfaToken: body.mfa_token, redirect_url: '/api/auth0/protected' })
    expect(done.status, done.body).toBe(200)
    expect(done.json()).toMatchObject({ completed: 'totp', redirectTo: '/api/auth0/protected' })
    const retried = await laptop.send('/api/auth0/protected')
    expect(retried.status).toBe(200)
    expect(retried.json()).toMatchObject({ marker: 'auth0 protected data', userId: expect.stringMatching(/^user_/) })
    // Spent: the same token again is refused with 404, before its code is looked at.
    const replay = await challenge(laptop, { factor: 'totp', code: '000000', mfaToken: body.mfa_token })
    expect([replay.status, replay.json().error]).toEqual([404, 'mfa_token_not_found'])
  })

  it('a token whose session was signed out: 404 mfa_token_not_found in the user\'s next session', async () => {
    const phone = await freshSession()
    const { mfa_token: token } = (await phone.send('/api/auth0/protected')).json()
    expect((await phone.send('/api/_guard/sign-out', { json: {} })).status).toBe(200)
    expect((await phone.signIn(EMAIL)).status).toBe(200)
    const refused = await challenge(phone, { factor: 'totp', code: appCode(secret, -1), mfaToken: token })
    expect([refused.status, refused.json()]).toEqual([404, { error: 'mfa_token_not_found', error_description: expect.stringMatching(/ended/) }])
    // Someone else's session presenting it learns nothing more than "invalid".
    const stranger = new CookieClient()
    await stranger.signUp('mallory@auth0-step-up.test')
    const foreign = await challenge(stranger, { factor: 'totp', code: '000000', mfaToken: token })
    expect([foreign.status, foreign.json().error]).toEqual([401, 'mfa_token_invalid'])
  })

  it('app code throwing the token errors: each answers its own status with its body, never a 500', async () => {
    const client = await freshSession()
    const answers = []
    for (const kind of ['expired', 'invalid', 'gone']) {
      const response = await client.send(`/api/auth0/token-error?kind=${kind}`)
      answers.push([response.status, response.json().data?.error])
    }
    expect(answers).toEqual([[401, 'mfa_token_expired'], [401, 'mfa_token_invalid'], [404, 'mfa_token_not_found']])
  })
})

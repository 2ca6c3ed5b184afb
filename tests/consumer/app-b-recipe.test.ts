/**
 * Consumer B: a fresh app that installed the packed tarball, with
 * `guard: { skipServerMiddleware: true, config: { claims: { template: { isMfa: '{{user.two_factor_enabled}}' } } } }`
 * and the README's server/middleware/guard.ts (Clerk's "force MFA for all users"
 * on guardMiddleware), word for word. Over HTTP, as the user's browser would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_B, seconds, startConsumer, type RunningConsumer } from '../support/consumer-app'
import { ConsumerClient, type ConsumerResponse } from '../support/consumer-http'
import { enrollTotpOverHttp } from '../support/mfa-http'

const ENABLE_MFA = 'You need to enable MFA for your account.'
const ALREADY_SIGNED_IN = 'You are already signed in.'
const JSON_ACCEPT = { accept: 'application/json' }

/** The recipe's handler refused: 403 with its message (h3 answers JSON to an API client). */
function expectRefused(response: ConsumerResponse, message: string): void {
  let statusMessage: unknown
  try { statusMessage = response.json().statusMessage }
  catch { statusMessage = undefined }
  expect({ status: response.status, statusMessage }, response.body.slice(0, 400)).toEqual({ status: 403, statusMessage: message })
}

describe('consumer B: skipServerMiddleware with the README recipe, from the tarball', () => {
  const started = Date.now()
  let app: RunningConsumer
  let ada: ConsumerClient
  let secret: string

  beforeAll(async () => {
    app = await startConsumer(APP_B)
    ada = new ConsumerClient(app.origin)
  })
  afterAll(async () => {
    await app?.stop()
    console.info(`[consumer] app-b-recipe.test.ts took ${seconds(Date.now() - started)}`)
  })

  it('anonymous: the guard still judges (401 on the app API, a redirect to sign in from its page); sign-in and sign-up open', async () => {
    expect((await ada.send('/api/hello')).status).toBe(401)
    const page = await ada.send('/dashboard')
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toBe('/sign-in?redirect_url=%2Fdashboard')
    expect((await ada.send('/sign-in')).status).toBe(200)
    expect((await ada.send('/sign-up')).status).toBe(200)
  })

  it('signs up; the token says isMfa false; the app refuses with 403 "You need to enable MFA for your account."', async () => {
    const signUp = await ada.signUp('ada@consumer-b.test')
    expect(signUp.status, signUp.body).toBe(200)
    const session = await ada.send('/api/_guard/session')
    expect(session.status, session.body).toBe(200)
    expect(session.json().claims.isMfa).toBe(false)

    expectRefused(await ada.send('/api/hello'), ENABLE_MFA)
    expectRefused(await ada.send('/dashboard', { headers: JSON_ACCEPT }), ENABLE_MFA)
    // A browser gets the HTML error page, with the same status.
    expect((await ada.send('/dashboard')).status).toBe(403)
  })

  it('signed in on /sign-in: 403 "You are already signed in."', async () => {
    expectRefused(await ada.send('/sign-in', { headers: JSON_ACCEPT }), ALREADY_SIGNED_IN)
    expect((await ada.send('/sign-in')).status).toBe(403)
  })

  it('the enrollment page is reachable (200, the built-in page) and TOTP enrolls over the API', async () => {
    const page = await ada.send('/account/manage-mfa/add')
    expect(page.status, page.body.slice(0, 400)).toBe(200)
    expect(page.body).toContain('guard-ui')
    expect(page.body).not.toContain(ENABLE_MFA)

    // The code an authenticator app shows, computed here with otpauth.
    ;({ secret } = await enrollTotpOverHttp(ada))
    const factors = await ada.send('/api/_guard/mfa/factors')
    expect(factors.json().enrolled).toEqual([expect.objectContaining({ type: 'totp' })])
  })

  it('signs out and in again: isMfa true, the app API answers 200 with the user id', async () => {
    expect((await ada.signOut()).status).toBe(200)
    expect((await ada.send('/api/hello')).status).toBe(401)
    const signIn = await ada.signIn('ada@consumer-b.test')
    expect(signIn.status, signIn.body).toBe(200)

    const session = await ada.send('/api/_guard/session')
    expect(session.json().claims.isMfa).toBe(true)
    const hello = await ada.send('/api/hello')
    expect(hello.status, hello.body).toBe(200)
    expect(hello.json()).toEqual({ userId: session.json().userId })
    expect(hello.json().userId).toMatch(/^user_/)
    const page = await ada.send('/dashboard')
    expect(page.status, page.body.slice(0, 400)).toBe(200)
    expect(page.body).toContain('Consumer dashboard')

    // Still signed in, so /sign-in is the recipe's first branch.
    expectRefused(await ada.send('/sign-in', { headers: JSON_ACCEPT }), ALREADY_SIGNED_IN)
  })
})

/**
 * The `azp` a refreshed token carries on a production build served over
 * plain HTTP (cookies Secure by default, so the scheme cannot be read off
 * the request): a page navigation sends no `Origin`, and the refresh used
 * to guess `https://`. With `authorizedParties: ['http://…']` every user
 * was then signed out at the first refresh, 60 s after signing in. Now a
 * request without `Origin` keeps the party its session signed in at, and a
 * host that `authorizedParties` names takes its scheme from there.
 */
import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { AppClient, answerOf, startGuardApp, type GuardApp } from '../support/h3-app'

const HOST = 'intranet.example.test'
const PARTY = `http://${HOST}`
const SESSION = '__Host-guard_session'
const REFRESH = '__Host-guard_refresh'

/** A browser at `http://intranet.example.test`; `origin: true` adds the Origin header a fetch sends. */
class Browser extends AppClient {
  override send(path: string, init: Parameters<AppClient['send']>[1] & { origin?: boolean } = {}) {
    return super.send(path, { ...init, headers: { host: HOST, ...(init.origin ? { origin: PARTY } : {}), ...init.headers } })
  }

  /** Drops the session token (as its expiry would), so the next request refreshes from the refresh cookie. */
  expireToken() { this.cookies.delete(SESSION) }
  get azp() { return decodeJwt(this.cookies.get(SESSION)!).azp }
}

let app: GuardApp | undefined
afterEach(async () => { await app?.close(); app = undefined })

describe('the party of a refreshed token over plain HTTP with Secure cookies', () => {
  it('with authorizedParties ["http://…"]: a sign-in without Origin is that party, and a navigation\'s refresh keeps it (the user stays signed in)', async () => {
    app = await startGuardApp({ cookieSecure: true, authorizedParties: [PARTY] })
    const ada = new Browser(app.origin)
    expect((await ada.signUp('ada@refresh-party.test')).status).toBe(200)
    expect(ada.azp).toBe(PARTY)
    ada.expireToken()
    expect(answerOf(await ada.send('/api/secret'))).toMatchObject({ status: 200, served: true })
    expect(ada.cookies.get(REFRESH)).toBeTruthy()
    expect(ada.azp).toBe(PARTY)
    // The next expiry too, from a page navigation.
    ada.expireToken()
    expect(answerOf(await ada.send('/dashboard'))).toMatchObject({ status: 200, served: true })
    expect(ada.azp).toBe(PARTY)
  })

  it('without authorizedParties: a navigation\'s refresh keeps the http origin the session signed in at instead of guessing https', async () => {
    app = await startGuardApp({ cookieSecure: true })
    const bo = new Browser(app.origin)
    expect((await bo.send('/api/_guard/sign-up', { origin: true, json: { email: 'bo@refresh-party.test', password: 'correct horse battery' } })).status).toBe(200)
    expect(bo.azp).toBe(PARTY)
    bo.expireToken()
    expect(answerOf(await bo.send('/dashboard'))).toMatchObject({ status: 200, served: true })
    expect(bo.azp).toBe(PARTY)
  })

  it('from the attacker\'s side: a refresh at a host authorizedParties does not name still mints nothing', async () => {
    app = await startGuardApp({ cookieSecure: true, authorizedParties: [PARTY] })
    const cy = new Browser(app.origin)
    expect((await cy.signUp('cy@refresh-party.test')).status).toBe(200)
    cy.expireToken()
    const elsewhere = await cy.send('/api/secret', { headers: { host: 'evil.example.test' } })
    expect(answerOf(elsewhere)).toMatchObject({ status: 401, served: false })
    expect(cy.cookies.get(SESSION)).toBeUndefined()
  })
})

/**
 * Options per request (`guardMiddleware(handler, (event) => options)`): one
 * server answering two domains, each with its own sign-in page, sign-up page,
 * destination after sign-in and authorized parties (real h3 app and
 * node:http server, real guard on PGlite; tests/support/h3-app.ts). The
 * domain is the `Host` each request addresses. From the attacker's side: a
 * session of one domain replayed at the other is signed out there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import type { H3Event } from 'h3'
import { getRequestHost } from 'h3'
import { guardMiddleware } from '../../modules/guard/runtime/server/utils/guard-middleware'
import { resolveRequestOptions, type GuardRequestOptions } from '../../modules/guard/runtime/server/utils/request-options'
import { AppClient, answerOf, startGuardApp, type GuardApp } from '../support/h3-app'
import { openWebSocket } from '../support/websocket-upgrade'

const EN = 'en.example.test'
const FR = 'fr.example.test'
const OPTIONS: Record<string, GuardRequestOptions> = {
  [EN]: { signInUrl: '/sign-in', signUpUrl: '/sign-up', afterSignInUrl: '/', authorizedParties: [`http://${EN}`] },
  [FR]: { signInUrl: '/connexion', signUpUrl: '/inscription', afterSignInUrl: '/accueil', authorizedParties: [`http://${FR}`] },
}
/** Every other host gets the French options (so an unknown host is no party of any list). */
const byHost = (event: H3Event) => OPTIONS[getRequestHost(event, { xForwardedHost: false })] ?? OPTIONS[FR]!

class HostClient extends AppClient {
  constructor(origin: string, readonly host: string) { super(origin) }
  override send(path: string, init: Parameters<AppClient['send']>[1] = {}) {
    return super.send(path, { ...init, headers: { host: this.host, ...init.headers } })
  }
}

let app: GuardApp
beforeAll(async () => {
  app = await startGuardApp({ middleware: guardMiddleware(undefined, byHost) })
}, 60_000)
afterAll(async () => { await app?.close() })

const at = (host: string) => ({ headers: { host } })

describe('two domains, one server', () => {
  it('a signed-out page request goes to each domain\'s own sign-in page, with the path to return to', async () => {
    const en = await app.request('/dashboard?tab=1', at(EN))
    const fr = await app.request('/dashboard?tab=1', at(FR))
    expect([en.status, en.headers.location]).toEqual([302, '/sign-in?redirect_url=%2Fdashboard%3Ftab%3D1'])
    expect([fr.status, fr.headers.location]).toEqual([302, '/connexion?redirect_url=%2Fdashboard%3Ftab%3D1'])
    // The API still answers 401 JSON, never a redirect.
    expect(answerOf(await app.request('/api/secret', at(FR)))).toMatchObject({ status: 401, error: 'unauthenticated', served: false })
  })

  it('each domain\'s sign-in and sign-up pages are public there (no redirect loop), and only there', async () => {
    expect(answerOf(await app.request('/connexion', at(FR)))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await app.request('/Connexion/', at(FR)))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await app.request('/inscription', at(FR)))).toMatchObject({ status: 200, served: true })
    expect(answerOf(await app.request('/connexion', at(EN)))).toMatchObject({ status: 302, to: '/sign-in', served: false })
    // A path that only partly reads as the page is not the page.
    expect(answerOf(await app.request('/connexion/../dashboard', at(FR)))).toMatchObject({ status: 302, to: '/connexion', served: false })
  })

  it('the client-side navigation verdict names the same page as the middleware', async () => {
    const fr = (await app.request('/api/_guard/verdict?path=/dashboard', at(FR))).json()
    const en = (await app.request('/api/_guard/verdict?path=/dashboard', at(EN))).json()
    expect([fr.allow, fr.redirect]).toEqual([false, '/connexion?redirect_url=%2Fdashboard'])
    expect([en.allow, en.redirect]).toEqual([false, '/sign-in?redirect_url=%2Fdashboard'])
  })

  it('sign-up goes to each domain\'s afterSignInUrl, with a token issued to that domain (azp)', async () => {
    const marie = new HostClient(app.origin, FR)
    const joined = await marie.signUp('marie@request-options.test')
    expect(joined.status, joined.body).toBe(200)
    expect(joined.json().redirectTo).toBe('/accueil')
    expect(decodeJwt(marie.cookies.get('guard_session')!).azp).toBe(`http://${FR}`)
    const jane = new HostClient(app.origin, EN)
    expect((await jane.signUp('jane@request-options.test')).json().redirectTo).toBe('/')
    expect(decodeJwt(jane.cookies.get('guard_session')!).azp).toBe(`http://${EN}`)
  })

  it('a session of one domain replayed at the other is signed out there (its azp is not that domain\'s party)', async () => {
    const marie = new HostClient(app.origin, FR)
    await marie.signIn('marie@request-options.test')
    expect(answerOf(await marie.send('/api/secret'))).toMatchObject({ status: 200, served: true })
    const replay = { headers: { host: EN, cookie: marie.cookieHeader } }
    expect(answerOf(await app.request('/api/secret', replay))).toMatchObject({ status: 401, error: 'unauthenticated', served: false })
    expect(answerOf(await app.request('/dashboard', replay))).toMatchObject({ status: 302, to: '/sign-in', served: false })
    expect(answerOf(await app.request('/api/secret', { headers: { host: EN, authorization: `Bearer ${marie.cookies.get('guard_session')}` } }))).toMatchObject({ status: 401, served: false })
  })

  it('WebSocket upgrades get the same per-request options: a session of one domain opens /live there and is refused at the other', async () => {
    const marie = new HostClient(app.origin, FR)
    await marie.signIn('marie@request-options.test')
    const upgrade = (host: string) => openWebSocket(app.origin, '/live', { host, origin: `http://${host}`, cookie: marie.cookieHeader })
    const home = await upgrade(FR)
    expect(home.status).toBe(101)
    expect(JSON.parse(home.message!)).toEqual({ userId: expect.stringMatching(/^user_/) })
    const replay = await upgrade(EN)
    expect(replay.status).not.toBe(101)
    expect(replay.status).toBe(302)
    // The English sign-in page, not the French one (crossws percent-encodes refusal header values).
    expect(decodeURIComponent(String(replay.headers.location))).toBe('/sign-in?redirect_url=%2Flive')
  })

  it('a sign-in at a host in neither list: 403 unauthorized_party', async () => {
    const stranger = new HostClient(app.origin, 'elsewhere.example.test')
    const refused = await stranger.signIn('marie@request-options.test')
    expect([refused.status, refused.json().error]).toEqual([403, 'unauthorized_party'])
    expect(stranger.cookies.size).toBe(0)
  })
})

describe('checking the options', () => {
  it('a URL that is not a same-origin path, or a party that is not an origin, is refused with the field named', () => {
    expect(() => resolveRequestOptions({ signInUrl: 'https://evil.example/sign-in' })).toThrow(/signInUrl/)
    expect(() => resolveRequestOptions({ afterSignInUrl: '//evil.example' })).toThrow(/afterSignInUrl/)
    expect(() => resolveRequestOptions({ signUpUrl: '/join/**' })).toThrow(/signUpUrl/)
    expect(() => resolveRequestOptions({ authorizedParties: ['https://app.example.com/path'] })).toThrow(/authorizedParties/)
    expect(resolveRequestOptions({ signInUrl: '/Connexion', authorizedParties: ['HTTPS://App.Example.com:443'] })).toMatchObject({ signInUrl: '/Connexion', pages: ['/connexion'], authorizedParties: ['https://app.example.com'] })
  })

  it('the same options object is checked once', () => {
    const options = { signInUrl: '/sign-in' }
    expect(resolveRequestOptions(options)).toBe(resolveRequestOptions(options))
  })
})

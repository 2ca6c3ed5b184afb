/**
 * `audience` and `authorizedParties` in the guard's h3 middleware (real h3
 * app and node:http server, real guard on PGlite; tests/support/h3-app.ts),
 * from the attacker's side: a token issued to another origin (`azp`) or for
 * another audience (`aud`) — even one this very server signed — is judged as
 * signed out (API 401 `unauthenticated`, page 302 to sign-in, never served);
 * a sign-in from an origin outside the list gets 403 `unauthorized_party`
 * before any password is checked; a refresh from such an origin mints
 * nothing. The browser's origin is the `Host` it addressed (no `Origin`
 * header on these requests).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { decodeJwt } from 'jose'
import { mintSessionToken } from '../../modules/guard/runtime/core/tokens/session-token'
import { createGuard } from '../../modules/guard/runtime/core/engine/create-guard'
import { guardSettings } from '../../modules/guard/runtime/server/utils/guard-instance'
import { verifyGuardToken, TokenVerificationError } from '../../modules/guard/runtime/verify'
import { enrollTotpOverHttp } from '../support/mfa-http'
import { AppClient, answerOf, startGuardApp, type GuardApp, type RequestInit } from '../support/h3-app'

const AUDIENCE = 'https://api.example.test'
const APP_HOST = 'app.example.test'
const PARTY = `http://${APP_HOST}`
const EVIL_HOST = 'evil.example.test'

/** A browser at `http://<host>`: every request carries that Host. */
class HostClient extends AppClient {
  constructor(origin: string, readonly host: string) { super(origin) }
  override send(path: string, init: Parameters<AppClient['send']>[1] = {}) {
    return super.send(path, { ...init, headers: { host: this.host, ...init.headers } })
  }
}

let app: GuardApp
let member: HostClient
let memberClaims: { sub: string; sid: string; roles: string[] }

beforeAll(async () => {
  app = await startGuardApp({ audience: [AUDIENCE], authorizedParties: [PARTY] })
  member = new HostClient(app.origin, APP_HOST)
  expect((await member.signUp('member@token-audience.test')).status).toBe(200)
  const { sub, sid, roles } = decodeJwt(member.cookies.get('guard_session')!) as typeof memberClaims
  memberClaims = { sub, sid, roles }
}, 60_000)
afterAll(async () => { await app?.close() })

const atApp = (init: RequestInit = {}): RequestInit => ({ ...init, headers: { host: APP_HOST, ...init.headers } })

/** A session token for the member's live session, signed with this server's own current key, with the given aud/azp. */
async function ownToken(extra: { aud?: string; azp?: string }, nowSeconds = Math.floor(Date.now() / 1000)) {
  return mintSessionToken(await app.guard.keys.signingKey(), { ...memberClaims, ...extra }, {}, { nowSeconds, ttlSeconds: 60 })
}

/** The API's and a page's answer to a request carrying `token` (cookie or Bearer) at the app's own host. */
async function judged(token: string) {
  return {
    apiCookie: answerOf(await app.request('/api/secret', atApp({ headers: { cookie: `guard_session=${token}` } }))),
    apiBearer: answerOf(await app.request('/api/secret', atApp({ headers: { authorization: `Bearer ${token}` } }))),
    page: answerOf(await app.request('/dashboard', atApp({ headers: { cookie: `guard_session=${token}` } }))),
  }
}

const SIGNED_OUT = {
  apiCookie: { status: 401, error: 'unauthenticated', served: false },
  apiBearer: { status: 401, error: 'unauthenticated', served: false },
  page: { status: 302, to: '/sign-in', served: false },
}
const SERVED = { apiCookie: { status: 200, served: true }, apiBearer: { status: 200, served: true }, page: { status: 200, served: true } }

describe('azp: the origin a token was issued to', () => {
  it('a sign-in at an authorized origin: the token carries that origin as azp and the audience as aud, and is served', async () => {
    expect(decodeJwt(member.cookies.get('guard_session')!)).toMatchObject({ azp: PARTY, aud: AUDIENCE })
    expect(answerOf(await member.send('/api/secret'))).toMatchObject({ status: 200, served: true })
  })

  it('a token with azp from an origin not in authorizedParties (signed by this server itself) is signed out, never a 500', async () => {
    expect(await judged(await ownToken({ aud: AUDIENCE, azp: 'https://evil.example.test' }))).toMatchObject(SIGNED_OUT)
    expect(await judged(await ownToken({ aud: AUDIENCE, azp: `${PARTY}.evil.test` }))).toMatchObject(SIGNED_OUT)
    // No azp at all (a token minted for no origin) is not a way around the list.
    expect(await judged(await ownToken({ aud: AUDIENCE }))).toMatchObject(SIGNED_OUT)
    // The control: the same kind of token with the right azp and aud is served.
    expect(await judged(await ownToken({ aud: AUDIENCE, azp: PARTY }))).toMatchObject(SERVED)
  })

  it('a sign-in or sign-up from an origin not in authorizedParties: 403 unauthorized_party, no cookies, the password never looked at', async () => {
    const stranger = new HostClient(app.origin, EVIL_HOST)
    for (const attempt of [await stranger.signIn('member@token-audience.test'), await stranger.signIn('member@token-audience.test', 'wrong password'), await stranger.signUp('new@token-audience.test')]) {
      expect(attempt.status).toBe(403)
      expect(attempt.json()).toEqual({ error: 'unauthorized_party', error_description: expect.any(String) })
      expect(attempt.headers['set-cookie']).toBeUndefined()
    }
    expect(stranger.cookies.size).toBe(0)
  })

  it('a session\'s cookies replayed at an origin outside the list: signed out, and its refresh secret mints nothing there', async () => {
    const expired = await ownToken({ aud: AUDIENCE, azp: PARTY }, Math.floor(Date.now() / 1000) - 3_600)
    const cookie = `guard_session=${expired}; guard_refresh=${member.cookies.get('guard_refresh')}`
    const elsewhere = await app.request('/api/secret', { headers: { host: EVIL_HOST, cookie } })
    expect(answerOf(elsewhere)).toMatchObject({ status: 401, error: 'unauthenticated', served: false })
    expect(String(elsewhere.headers['set-cookie'] ?? '')).not.toMatch(/guard_session=ey/)
    // At the app's own origin the same cookies refresh, and the new token is issued to that origin.
    const home = await app.request('/api/secret', atApp({ headers: { cookie } }))
    expect(answerOf(home)).toMatchObject({ status: 200, served: true })
    const renewed = /guard_session=([^;]+)/.exec(String(home.headers['set-cookie']))![1]!
    expect(decodeJwt(renewed)).toMatchObject({ azp: PARTY, aud: AUDIENCE, sid: memberClaims.sid })
  })

  it('completing a second factor renews the session; the renewed token keeps its azp and aud', async () => {
    const ada = new HostClient(app.origin, APP_HOST)
    await ada.signUp('ada@token-audience.test')
    const before = ada.cookies.get('guard_session')!
    await enrollTotpOverHttp(ada)
    const after = ada.cookies.get('guard_session')!
    expect(after).not.toBe(before)
    expect(decodeJwt(after)).toMatchObject({ azp: PARTY, aud: AUDIENCE, mfa: { e: expect.arrayContaining(['totp']) } })
    expect(answerOf(await ada.send('/api/secret'))).toMatchObject({ status: 200, served: true })
  })
})

describe('azp on several instances', () => {
  it('another instance renewing the session (no request origin at hand) stamps the origin stored at sign-in', async () => {
    const bea = new HostClient(app.origin, APP_HOST)
    await bea.signUp('bea@token-audience.test')
    const { sid } = decodeJwt(bea.cookies.get('guard_session')!) as { sid: string }
    const other = await createGuard({ database: app.guard.db, secret: app.guard.secret, seed: {}, audience: [AUDIENCE] })
    try {
      const renewed = await other.sessions.renew(sid)
      expect(decodeJwt(renewed!.token)).toMatchObject({ sid, azp: PARTY, aud: AUDIENCE })
    }
    finally { await other.close() }
  })
})

describe('aud: the audience', () => {
  it('a token for another audience, or for none, is signed out', async () => {
    expect(await judged(await ownToken({ aud: 'https://other.example.test', azp: PARTY }))).toMatchObject(SIGNED_OUT)
    expect(await judged(await ownToken({ azp: PARTY }))).toMatchObject(SIGNED_OUT)
  })

  it('with debug on, each refusal is logged with its reason', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    guardSettings().debug = true
    try {
      await app.request('/api/secret', atApp({ headers: { authorization: `Bearer ${await ownToken({ aud: 'https://other.example.test', azp: PARTY })}` } }))
      await app.request('/api/secret', atApp({ headers: { authorization: `Bearer ${await ownToken({ aud: AUDIENCE, azp: 'https://evil.example.test' })}` } }))
      const lines = info.mock.calls.map(call => String(call[0]))
      expect(lines.some(line => line.includes('token refused (token-invalid-audience'))).toBe(true)
      expect(lines.some(line => line.includes('token refused (token-invalid-authorized-parties') && line.includes('evil.example.test'))).toBe(true)
    }
    finally {
      guardSettings().debug = false
      info.mockRestore()
    }
  })
})

describe('another Node service, networkless', () => {
  it('verifies the app\'s cookie token against GET /api/_guard/jwks.json with the same audience and parties, and refuses it for others', async () => {
    const token = member.cookies.get('guard_session')!
    const jwksUrl = `${app.origin}/api/_guard/jwks.json`
    expect(await verifyGuardToken(token, { jwksUrl, audience: AUDIENCE, authorizedParties: [PARTY] })).toMatchObject({ sub: memberClaims.sub, azp: PARTY })
    const refusals = await Promise.all([
      verifyGuardToken(token, { jwksUrl, authorizedParties: ['https://billing.example.test'] }),
      verifyGuardToken(token, { jwksUrl, audience: 'https://billing-api.example.test' }),
    ].map(pending => pending.then(() => undefined, (error: TokenVerificationError) => error.reason)))
    expect(refusals).toEqual(['token-invalid-authorized-parties', 'token-invalid-audience'])
  })
})

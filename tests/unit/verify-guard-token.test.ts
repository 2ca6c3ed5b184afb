/**
 * `verifyGuardToken` (nuxt-guard/verify), from the side of another Node
 * service that receives nuxt-guard session tokens: a JWKS served by a real
 * node:http server (counted requests), a pinned PEM key, and the tokens an
 * attacker would try — another audience, another origin's `azp`, expired
 * beyond the skew, `alg: none`, a key that is not the app's, a made-up `kid`
 * (one refetch, then no more within the interval), a JWKS that is down.
 */
import { createServer, type Server } from 'node:http'
import { KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { base64url } from 'jose'
import { generateSigningKey, importSigningKeys, type LoadedKey } from '../../modules/guard/runtime/core/tokens/key-set'
import { mintSessionToken } from '../../modules/guard/runtime/core/tokens/session-token'
import { TokenVerificationError, verifyGuardToken, type VerifyGuardTokenOptions } from '../../modules/guard/runtime/verify'

const APP = 'https://app.example.com'
const ORDERS = 'https://orders.example.com'
const sealKey = new Uint8Array(randomBytes(32))
const nowS = () => Math.floor(Date.now() / 1000)

let keyA: LoadedKey
let keyB: LoadedKey
let stranger: LoadedKey
/** What the JWKS server publishes, and how often it was asked. */
const published: { keys: LoadedKey[]; hits: number; down: boolean } = { keys: [], hits: 0, down: false }
let server: Server
let jwksUrl: string

beforeAll(async () => {
  const rows = await Promise.all([0, 1, 2].map(i => generateSigningKey(sealKey, Date.now() + i)))
  const [a, b, c] = (await importSigningKeys(rows, sealKey)).keys
  keyA = a!
  keyB = b!
  stranger = c!
  server = createServer((_req, res) => {
    published.hits++
    if (published.down) return res.writeHead(503).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.keys.map(key => key.publicJwk) }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  jwksUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/_guard/jwks.json`
  published.keys = [keyA]
})
afterAll(() => new Promise(resolve => server.close(resolve)))

/** A session token as the guard mints it, `ageSeconds` old, with `reserved` extras (aud, azp). */
function token(key: LoadedKey, extra: { aud?: string | string[]; azp?: string } = { azp: APP }, { ageSeconds = 0, ttlSeconds = 60 } = {}) {
  return mintSessionToken(key, { sub: 'user_1', sid: 'sess_1', roles: ['member'], ...extra }, { plan: 'pro' }, { nowSeconds: nowS() - ageSeconds, ttlSeconds })
}

/** The reason a verification failed (it must fail with a TokenVerificationError). */
async function reason(pending: Promise<unknown>): Promise<string> {
  const outcome = await pending.then(() => undefined, (error: unknown) => error)
  expect(outcome).toBeInstanceOf(TokenVerificationError)
  return (outcome as TokenVerificationError).reason
}

/** A fresh JWKS URL each time (the cache is per URL), on the same counted server. */
let run = 0
const fresh = (extra: Partial<VerifyGuardTokenOptions> = {}): VerifyGuardTokenOptions => ({ jwksUrl: `${jwksUrl}?run=${++run}`, ...extra })

describe('against the app\'s JWKS', () => {
  it('a good token: the claims, with one fetch for any number of verifications', async () => {
    const options = fresh()
    const before = published.hits
    const claims = await verifyGuardToken(await token(keyA), options)
    expect(claims).toMatchObject({ sub: 'user_1', sid: 'sess_1', roles: ['member'], plan: 'pro', azp: APP, iss: 'nuxt-guard' })
    for (let i = 0; i < 5; i++) await verifyGuardToken(await token(keyA), options)
    expect(published.hits - before).toBe(1)
  })

  it('a token for another audience is refused (token-invalid-audience); so is one with no aud', async () => {
    const options = fresh({ audience: ORDERS })
    expect(await verifyGuardToken(await token(keyA, { aud: ORDERS, azp: APP }), options)).toMatchObject({ aud: ORDERS })
    expect(await verifyGuardToken(await token(keyA, { aud: ['https://billing.example.com', ORDERS] }), options)).toMatchObject({ sub: 'user_1' })
    expect(await reason(verifyGuardToken(await token(keyA, { aud: 'https://billing.example.com', azp: APP }), options))).toBe('token-invalid-audience')
    expect(await reason(verifyGuardToken(await token(keyA, { azp: APP }), options))).toBe('token-invalid-audience')
  })

  it('azp from an origin not in authorizedParties is refused (token-invalid-authorized-parties); so is a token without azp', async () => {
    const options = fresh({ authorizedParties: [APP, 'http://localhost:3000'] })
    expect(await verifyGuardToken(await token(keyA, { azp: APP }), options)).toMatchObject({ azp: APP })
    expect(await reason(verifyGuardToken(await token(keyA, { azp: 'https://evil.example' }), options))).toBe('token-invalid-authorized-parties')
    expect(await reason(verifyGuardToken(await token(keyA, { azp: 'https://app.example.com.evil.example' }), options))).toBe('token-invalid-authorized-parties')
    expect(await reason(verifyGuardToken(await token(keyA, {}), options))).toBe('token-invalid-authorized-parties')
  })

  it('expired: within the 5 s skew it passes, beyond it token-expired; clockSkewInMs: 0 is strict', async () => {
    const justExpired = await token(keyA, { azp: APP }, { ageSeconds: 62, ttlSeconds: 60 })
    expect(await verifyGuardToken(justExpired, fresh())).toMatchObject({ sub: 'user_1' })
    expect(await reason(verifyGuardToken(justExpired, fresh({ clockSkewInMs: 0 })))).toBe('token-expired')
    expect(await reason(verifyGuardToken(await token(keyA, { azp: APP }, { ageSeconds: 120 }), fresh()))).toBe('token-expired')
  })

  it('alg none, an HS256 token keyed with the public key, and a tampered payload are refused', async () => {
    const good = await token(keyA)
    const [header, payload, signature] = good.split('.') as [string, string, string]
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', kid: keyA.kid }))}.${payload}.`
    expect(await reason(verifyGuardToken(none, fresh()))).toBe('token-invalid-algorithm')
    const hs = `${base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: keyA.kid }))}.${payload}.${signature}`
    expect(await reason(verifyGuardToken(hs, fresh()))).toBe('token-invalid-algorithm')
    const raised = base64url.encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(base64url.decode(payload))), roles: ['admin'] }))
    expect(await reason(verifyGuardToken(`${header}.${raised}.${signature}`, fresh()))).toBe('token-invalid-signature')
    expect(await reason(verifyGuardToken('not.a.token', fresh()))).toBe('token-invalid')
  })

  it('a key that is not the app\'s: under a published kid → token-invalid-signature; under its own kid → jwk-kid-mismatch after one refetch', async () => {
    const options = fresh()
    await verifyGuardToken(await token(keyA), options)
    const forgedUnderA = await mintSessionToken({ ...stranger, kid: keyA.kid }, { sub: 'user_1', sid: 'sess_1', roles: ['admin'], azp: APP }, {}, { nowSeconds: nowS(), ttlSeconds: 60 })
    expect(await reason(verifyGuardToken(forgedUnderA, options))).toBe('token-invalid-signature')
    const before = published.hits
    expect(await reason(verifyGuardToken(await token(stranger), options))).toBe('jwk-kid-mismatch')
    expect(published.hits - before).toBe(1)
  })

  it('an unknown kid fetches the key set once: a rotated-in key verifies; more unknown kids within the interval fetch nothing', async () => {
    const options = fresh()
    await verifyGuardToken(await token(keyA), options)
    published.keys = [keyA, keyB] // the app rotated in key B
    try {
      const before = published.hits
      expect(await verifyGuardToken(await token(keyB), options)).toMatchObject({ sub: 'user_1' })
      expect(published.hits - before).toBe(1)
      const flood = await Promise.all(Array.from({ length: 20 }, async () => reason(verifyGuardToken(await token(stranger), options))))
      expect(new Set(flood)).toEqual(new Set(['jwk-kid-mismatch']))
      expect(published.hits - before).toBe(1)
      expect(await verifyGuardToken(await token(keyB), options)).toMatchObject({ sub: 'user_1' })
    }
    finally { published.keys = [keyA] }
  })

  it('after the interval, an unknown kid may fetch again (jwksMinRefetchIntervalInMs)', async () => {
    const options = fresh({ jwksMinRefetchIntervalInMs: 50 })
    await verifyGuardToken(await token(keyA), options)
    const before = published.hits
    await reason(verifyGuardToken(await token(stranger), options))
    await new Promise(resolve => setTimeout(resolve, 80))
    await reason(verifyGuardToken(await token(stranger), options))
    expect(published.hits - before).toBe(2)
  })

  it('a key set that cannot be loaded: jwk-remote-failed-to-load (the verifier\'s problem, not the token\'s); a cached one keeps working', async () => {
    const cached = fresh()
    await verifyGuardToken(await token(keyA), cached)
    published.down = true
    try {
      expect(await reason(verifyGuardToken(await token(keyA), fresh()))).toBe('jwk-remote-failed-to-load')
      expect(await verifyGuardToken(await token(keyA), cached)).toMatchObject({ sub: 'user_1' })
    }
    finally { published.down = false }
    expect(await reason(verifyGuardToken(await token(keyA), { jwksUrl: 'http://127.0.0.1:1/jwks.json' }))).toBe('jwk-remote-failed-to-load')
    expect(await reason(verifyGuardToken(await token(keyA), {}))).toBe('jwk-failed-to-resolve')
  })
})

describe('with a pinned PEM key (jwtKey): no network at all', () => {
  const pem = () => KeyObject.from(keyA.publicKey).export({ type: 'spki', format: 'pem' }).toString()

  it('verifies the tokens that key signed, and checks audience and azp the same way', async () => {
    const before = published.hits
    expect(await verifyGuardToken(await token(keyA, { aud: ORDERS, azp: APP }), { jwtKey: pem(), audience: ORDERS, authorizedParties: [APP] })).toMatchObject({ sub: 'user_1' })
    expect(await reason(verifyGuardToken(await token(keyA, { aud: ORDERS, azp: 'https://evil.example' }), { jwtKey: pem(), authorizedParties: [APP] }))).toBe('token-invalid-authorized-parties')
    expect(await reason(verifyGuardToken(await token(keyA, { aud: 'https://other.example', azp: APP }), { jwtKey: pem(), audience: ORDERS }))).toBe('token-invalid-audience')
    expect(published.hits).toBe(before)
  })

  it('a token signed by any other key → token-invalid-signature; expired → token-expired', async () => {
    expect(await reason(verifyGuardToken(await token(keyB), { jwtKey: pem() }))).toBe('token-invalid-signature')
    expect(await reason(verifyGuardToken(await token(stranger), { jwtKey: pem() }))).toBe('token-invalid-signature')
    expect(await reason(verifyGuardToken(await token(keyA, { azp: APP }, { ageSeconds: 300 }), { jwtKey: pem() }))).toBe('token-expired')
  })

  it('a key that is not a P-256 public key PEM is refused as jwk-failed-to-resolve', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(await reason(verifyGuardToken(await token(keyA), { jwtKey: rsa }))).toBe('jwk-failed-to-resolve')
    expect(await reason(verifyGuardToken(await token(keyA), { jwtKey: 'not a key' }))).toBe('jwk-failed-to-resolve')
  })
})

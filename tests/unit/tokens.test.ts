import { randomBytes, webcrypto } from 'node:crypto'
import { CompactSign, SignJWT, base64url, decodeJwt, decodeProtectedHeader } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  KEY_SIGNING_WINDOW_MS,
  KEY_VERIFY_GRACE_MS,
  SESSION_TOKEN_ALG,
  SigningKeySet,
  generateSigningKey,
  importSigningKeys,
  type LoadedKey,
} from '../../modules/guard/runtime/core/tokens/key-set'
import {
  GUARD_ISSUER,
  TokenRejectedError,
  mintSessionToken,
  verifySessionToken,
} from '../../modules/guard/runtime/core/tokens/session-token'
import { VerifiedTokenCache } from '../../modules/guard/runtime/core/tokens/verified-cache'
import { RESERVED_CLAIMS } from '../../modules/guard/runtime/core/claims/template'
import type { SigningKeyRow } from '../../modules/guard/runtime/core/store/signing-keys'

const SKEW_MS = 5_000
/** A whole second, so that JWT second arithmetic is exact. */
const T0 = 1_900_000_000_000
const T0_S = T0 / 1000
const encoder = new TextEncoder()

const sealKey = new Uint8Array(randomBytes(32))
let rowA: SigningKeyRow
let rowB: SigningKeyRow
let keySet: SigningKeySet
let keyA: LoadedKey
let keyB: LoadedKey

beforeAll(async () => {
  rowA = await generateSigningKey(sealKey, T0)
  rowB = await generateSigningKey(sealKey, T0 + 1_000)
  keySet = await importSigningKeys([rowA, rowB], sealKey)
  keyA = keySet.keys.find(key => key.kid === rowA.kid)!
  keyB = keySet.keys.find(key => key.kid === rowB.kid)!
})

const reserved = { sub: 'user_1', sid: 'sess_1', roles: ['member'] }

function mint(key: LoadedKey, { nowSeconds = T0_S, ttlSeconds = 60, custom = {} as Record<string, unknown> } = {}) {
  return mintSessionToken(key, reserved, custom, { nowSeconds, ttlSeconds })
}

function verify(token: string, nowMs = T0 + 1_000, set = keySet) {
  return verifySessionToken(token, set, { nowMs, skewMs: SKEW_MS })
}

/** The rejection of `promise`, which must be a TokenRejectedError. */
async function rejection(promise: Promise<unknown>): Promise<TokenRejectedError> {
  const outcome = await promise.then(value => ({ value }), (error: unknown) => ({ error }))
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  expect(outcome.error).toBeInstanceOf(TokenRejectedError)
  return outcome.error as TokenRejectedError
}

/** Signs any header and payload with any key (no claim defaults added). */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey | Uint8Array) {
  return new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader(header as { alg: string })
    .sign(key)
}

function goodPayload(overrides: Record<string, unknown> = {}) {
  return { iss: GUARD_ISSUER, sub: 'user_1', sid: 'sess_1', roles: ['member'], iat: T0_S, nbf: T0_S, exp: T0_S + 60, ...overrides }
}

describe('a good token', () => {
  it('verifies and carries sub, sid, roles and custom claims', async () => {
    const token = await mint(keyA, { custom: { email: 'ada@example.com', isMfa: false, org: { plan: 'pro' } } })
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' })
    const claims = await verify(token)
    expect(claims).toEqual({
      iss: GUARD_ISSUER,
      sub: 'user_1',
      sid: 'sess_1',
      roles: ['member'],
      iat: T0_S,
      nbf: T0_S,
      exp: T0_S + 60,
      email: 'ada@example.com',
      isMfa: false,
      org: { plan: 'pro' },
    })
  })

  it('a forged token with exactly the right claims and the right key verifies (the forge helper itself is sound)', async () => {
    const token = await forge({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' }, goodPayload(), keyA.privateKey)
    expect((await verify(token)).sub).toBe('user_1')
  })

  it('custom claims never override the reserved claims nuxt-guard sets', async () => {
    const custom = {
      sub: 'evil', sid: 'evil', iss: 'evil', exp: T0_S + 999_999, iat: 1, nbf: 1, roles: ['admin'], plan: 'pro',
    }
    const token = await mintSessionToken(keyA, { ...reserved, fva: [0, -1] }, custom, { nowSeconds: T0_S, ttlSeconds: 60 })
    const claims = await verify(token)
    expect(claims).toEqual({
      iss: GUARD_ISSUER, sub: 'user_1', sid: 'sess_1', roles: ['member'], fva: [0, -1], iat: T0_S, nbf: T0_S, exp: T0_S + 60, plan: 'pro',
    })
  })

  it('no reserved claim (RESERVED_CLAIMS) can come from the custom claims, even one the caller left unset', async () => {
    // SessionService.mint passes { sub, sid, roles, fva } and no `mfa`; a custom `mfa` must not fill the gap.
    const custom: Record<string, unknown> = Object.fromEntries(RESERVED_CLAIMS.map(name => [name, `evil-${name}`]))
    custom.mfa = { c: { totp: T0_S }, v: true, e: ['totp'] }
    const token = await mintSessionToken(keyA, { ...reserved, fva: [0, -1] }, custom, { nowSeconds: T0_S, ttlSeconds: 60 })
    const payload = decodeJwt(token)
    const leaked = RESERVED_CLAIMS.filter(name => JSON.stringify(payload[name]) === JSON.stringify(custom[name]))
    expect(leaked).toEqual([])
  })
})

describe('rejected tokens', () => {
  it('alg none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid: keyA.kid, typ: 'JWT' }))
    const payload = base64url.encode(JSON.stringify(goodPayload()))
    const error = await rejection(verify(`${header}.${payload}.`))
    expect(error.code).toBe('invalid')
    expect(error.message).toMatch(/"alg".*not allowed/)
    expect((await rejection(verify(`${header}.${payload}`))).code).toBe('invalid')
  })

  it('HS256 signed with the public JWK (JSON string) as the HMAC secret', async () => {
    const secret = encoder.encode(JSON.stringify(keyA.publicJwk))
    const token = await new SignJWT(goodPayload()).setProtectedHeader({ alg: 'HS256', kid: keyA.kid, typ: 'JWT' }).sign(secret)
    const error = await rejection(verify(token))
    expect(error.code).toBe('invalid')
    expect(error.message).toMatch(/"alg".*not allowed/)
  })

  it('HS256 signed with the raw public key bytes (raw point and SPKI) as the HMAC secret', async () => {
    for (const format of ['raw', 'spki'] as const) {
      const bytes = new Uint8Array(await webcrypto.subtle.exportKey(format, keyA.publicKey))
      expect(bytes.length).toBeGreaterThan(32)
      const token = await new SignJWT(goodPayload()).setProtectedHeader({ alg: 'HS256', kid: keyA.kid, typ: 'JWT' }).sign(bytes)
      const error = await rejection(verify(token))
      expect(error.code).toBe('invalid')
    }
  })

  it('expired beyond the 5 s skew, but accepted 4 s after exp', async () => {
    const token = await mint(keyA, { ttlSeconds: 60 })
    const exp = (T0_S + 60) * 1000
    expect((await verify(token, exp + 4_000)).sid).toBe('sess_1')
    expect((await verify(token, exp + 4_999)).sid).toBe('sess_1')
    // The window is exclusive at exp + skew, the same edge the verified-token cache uses.
    expect((await rejection(verify(token, exp + 5_000))).code).toBe('expired')
    const error = await rejection(verify(token, exp + 6_000))
    expect(error.code).toBe('expired')
  })

  it('nbf in the future beyond the skew (accepted within it)', async () => {
    const token = await forge({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' }, goodPayload({ nbf: T0_S + 10 }), keyA.privateKey)
    expect((await verify(token, (T0_S + 6) * 1000)).sub).toBe('user_1')
    const error = await rejection(verify(token, (T0_S + 4) * 1000))
    expect(error.code).toBe('invalid')
  })

  it('unknown kid', async () => {
    const token = await forge({ alg: 'ES256', kid: 'key_unknown', typ: 'JWT' }, goodPayload(), keyA.privateKey)
    const error = await rejection(verify(token))
    expect(error.code).toBe('unknown_key')
  })

  it('missing kid', async () => {
    const token = await forge({ alg: 'ES256', typ: 'JWT' }, goodPayload(), keyA.privateKey)
    const error = await rejection(verify(token))
    expect(error.code).toBe('unknown_key')
  })

  it('wrong issuer, signed with the real private key', async () => {
    const token = await new SignJWT({ sid: 'sess_1', roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' })
      .setIssuer('evil').setSubject('user_1').setIssuedAt(T0_S).setExpirationTime(T0_S + 60)
      .sign(keyA.privateKey)
    const error = await rejection(verify(token))
    expect(error.code).toBe('invalid')
    expect(error.message).toMatch(/"iss"/)
  })

  it('payload edited after signing', async () => {
    const token = await mint(keyA)
    const [header, , signature] = token.split('.')
    const edited = base64url.encode(JSON.stringify({ ...decodeJwt(token), roles: ['admin'] }))
    const error = await rejection(verify(`${header}.${edited}.${signature}`))
    expect(error.code).toBe('invalid')
    expect(error.message).toMatch(/signature verification failed/)
  })

  it('signed by another key under a known kid', async () => {
    const token = await forge({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' }, goodPayload(), keyB.privateKey)
    const error = await rejection(verify(token))
    expect(error.code).toBe('invalid')
    expect(error.message).toMatch(/signature verification failed/)
    // and the same token under its real kid is fine
    const honest = await forge({ alg: 'ES256', kid: keyB.kid, typ: 'JWT' }, goodPayload(), keyB.privateKey)
    expect((await verify(honest)).sub).toBe('user_1')
  })

  it('missing exp', async () => {
    const { exp: _exp, ...payload } = goodPayload()
    const token = await forge({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' }, payload, keyA.privateKey)
    const error = await rejection(verify(token))
    expect(error.code).toBe('invalid')
    expect(error.message).toMatch(/"exp"/)
  })

  it('missing sid', async () => {
    const { sid: _sid, ...payload } = goodPayload()
    const token = await forge({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' }, payload, keyA.privateKey)
    const error = await rejection(verify(token))
    expect(error.code).toBe('invalid')
    expect(error.message).toMatch(/"sid"/)
  })

  it('missing sub, missing iat, or roles not an array', async () => {
    const { sub: _sub, ...noSub } = goodPayload()
    const { iat: _iat, ...noIat } = goodPayload()
    for (const payload of [noSub, noIat, goodPayload({ roles: 'admin' }), goodPayload({ sid: 42 })]) {
      const token = await forge({ alg: 'ES256', kid: keyA.kid, typ: 'JWT' }, payload, keyA.privateKey)
      const error = await rejection(verify(token))
      expect(error.code).toBe('invalid')
    }
  })

  it('typ not JWT (another value, or absent)', async () => {
    for (const header of [{ typ: 'at+jwt' }, { typ: 'JWE' }, {}]) {
      const token = await forge({ alg: 'ES256', kid: keyA.kid, ...header }, goodPayload(), keyA.privateKey)
      const error = await rejection(verify(token))
      expect(error.code).toBe('invalid')
      expect(error.message).toMatch(/"typ"/)
    }
  })

  it('an ES384 header over a real ES256 signature is not accepted (algorithm pinned)', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'ES384', kid: keyA.kid, typ: 'JWT' }))
    const [, payload, signature] = (await mint(keyA)).split('.')
    const error = await rejection(verify(`${header}.${payload}.${signature}`))
    expect(error.code).toBe('invalid')
  })

  it('garbage', async () => {
    for (const token of ['', 'a.b.c', 'not-a-jwt', `${(await mint(keyA)).slice(0, -3)}`]) {
      const error = await rejection(verify(token))
      expect(error.code).toBe('invalid')
    }
  })
})

describe('rotation', () => {
  it('a key past signUntil is not chosen for signing but verifies until verifyUntil, and not after', async () => {
    // rowA: signs until T0 + 24 h; rowC (made 23 h later) signs until T0 + 47 h.
    const rowC = await generateSigningKey(sealKey, T0 + 23 * 3_600_000)
    const set = await importSigningKeys([rowA, rowC], sealKey)
    const a = set.keys.find(key => key.kid === rowA.kid)!
    expect(a.signUntil).toBe(T0 + KEY_SIGNING_WINDOW_MS)
    expect(a.verifyUntil).toBe(T0 + KEY_SIGNING_WINDOW_MS + KEY_VERIFY_GRACE_MS)

    // Before either window closes the newest key (latest signUntil) signs.
    expect(set.signingKey(T0 + 23.5 * 3_600_000)?.kid).toBe(rowC.kid)
    // With only A alive it is A.
    const onlyA = await importSigningKeys([rowA], sealKey)
    expect(onlyA.signingKey(a.signUntil - 1)?.kid).toBe(rowA.kid)
    expect(onlyA.signingKey(a.signUntil)).toBeUndefined()
    expect(onlyA.signingKey(a.signUntil - 1, 10)).toBeUndefined()
    expect(set.signingKey(a.signUntil + 1)?.kid).toBe(rowC.kid)

    // A still verifies in its grace period, and stops at verifyUntil.
    expect(set.verificationKey(rowA.kid, a.signUntil + 1)).toBe(a.publicKey)
    expect(set.verificationKey(rowA.kid, a.verifyUntil - 1)).toBe(a.publicKey)
    expect(set.verificationKey(rowA.kid, a.verifyUntil)).toBeUndefined()

    // A token A signed late in its life, with a lifetime outlasting verifyUntil.
    const lateSeconds = Math.floor((a.verifyUntil - 120_000) / 1000)
    const token = await mint(a, { nowSeconds: lateSeconds, ttlSeconds: 3_600 })
    expect((await verify(token, a.verifyUntil - 1_000, set)).sub).toBe('user_1')
    const error = await rejection(verify(token, a.verifyUntil + 1_000, set))
    expect(error.code).toBe('unknown_key')
  })

  it('jwks() exposes only the public parts of keys that still verify', async () => {
    const rowC = await generateSigningKey(sealKey, T0 + 23 * 3_600_000)
    const set = await importSigningKeys([rowA, rowC], sealKey)
    const a = set.keys.find(key => key.kid === rowA.kid)!

    const both = set.jwks(T0 + 1_000)
    expect(both.keys.map(key => key.kid).sort()).toEqual([rowA.kid, rowC.kid].sort())
    for (const jwk of both.keys) {
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: SESSION_TOKEN_ALG, use: 'sig' })
      expect(jwk.d).toBeUndefined()
    }
    expect(JSON.stringify(both)).not.toContain('"d"')
    expect(set.jwks(a.verifyUntil).keys.map(key => key.kid)).toEqual([rowC.kid])
  })

  it('a key row sealed with another secret is skipped by importSigningKeys', async () => {
    const otherSealKey = new Uint8Array(randomBytes(32))
    const foreign = await generateSigningKey(otherSealKey, T0)
    const set = await importSigningKeys([foreign, rowA], sealKey)
    expect(set.keys.map(key => key.kid)).toEqual([rowA.kid])
    expect(set.verificationKey(foreign.kid, T0 + 1)).toBeUndefined()
    expect(set.jwks(T0 + 1).keys.map(key => key.kid)).toEqual([rowA.kid])
  })

  it('the private half is stored sealed, never as plain JSON', () => {
    expect(rowA.privateJwkSealed.split('.')).toHaveLength(5)
    expect(rowA.privateJwkSealed).not.toContain('"d"')
    expect(rowA.publicJwk.d).toBeUndefined()
  })
})

describe('VerifiedTokenCache', () => {
  it('hits until expiresAt and misses from then on (and forgets the entry)', () => {
    const cache = new VerifiedTokenCache<string>()
    cache.set('t1', 'claims-1', 1_000)
    expect(cache.get('t1', 0)).toBe('claims-1')
    expect(cache.get('t1', 999)).toBe('claims-1')
    expect(cache.size).toBe(1)
    expect(cache.get('t1', 1_000)).toBeUndefined()
    expect(cache.size).toBe(0)
    expect(cache.get('t1', 0)).toBeUndefined()
    expect(cache.get('never-set', 0)).toBeUndefined()
  })

  it('is bounded: past maxEntries the oldest entry goes first', () => {
    const cache = new VerifiedTokenCache<number>(3)
    cache.set('a', 1, 10_000)
    cache.set('b', 2, 10_000)
    cache.set('c', 3, 10_000)
    expect(cache.size).toBe(3)
    cache.set('d', 4, 10_000)
    expect(cache.size).toBe(3)
    expect(cache.get('a', 0)).toBeUndefined()
    expect([cache.get('b', 0), cache.get('c', 0), cache.get('d', 0)]).toEqual([2, 3, 4])
    cache.set('e', 5, 10_000)
    expect(cache.get('b', 0)).toBeUndefined()
    expect([cache.get('c', 0), cache.get('d', 0), cache.get('e', 0)]).toEqual([3, 4, 5])
    expect(cache.size).toBe(3)
  })

  it('deleteWhere drops exactly the matching entries', () => {
    const cache = new VerifiedTokenCache<{ sid: string }>()
    cache.set('t1', { sid: 's1' }, 10_000)
    cache.set('t2', { sid: 's2' }, 10_000)
    cache.set('t3', { sid: 's1' }, 10_000)
    cache.deleteWhere(value => value.sid === 's1')
    expect(cache.size).toBe(1)
    expect(cache.get('t1', 0)).toBeUndefined()
    expect(cache.get('t3', 0)).toBeUndefined()
    expect(cache.get('t2', 0)).toEqual({ sid: 's2' })
  })
})

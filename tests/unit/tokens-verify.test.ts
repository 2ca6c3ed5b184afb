/**
 * Session-token verification: a good token and what it carries, custom claims
 * that try to set reserved ones, and the attacks that must be rejected (alg
 * none or HS256 with the public key, expiry and nbf around the skew, unknown
 * or missing kid, wrong issuer, edited payload, wrong key, missing claims,
 * wrong typ, algorithm swap, garbage). Shared keys and helpers:
 * tests/support/key-set.ts.
 */
import { randomBytes, webcrypto } from 'node:crypto'
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { LoadedKey, SigningKeySet } from '../../modules/guard/runtime/core/tokens/key-set'
import { GUARD_ISSUER, mintSessionToken } from '../../modules/guard/runtime/core/tokens/session-token'
import { RESERVED_CLAIMS } from '../../modules/guard/runtime/core/claims/template'
import { T0_S, encoder, forge, goodPayload, mint, rejection, reserved, twoSigningKeys, verifier } from '../support/key-set'

const sealKey = new Uint8Array(randomBytes(32))
let keySet: SigningKeySet
let keyA: LoadedKey
let keyB: LoadedKey

beforeAll(async () => {
  ({ keySet, keyA, keyB } = await twoSigningKeys(sealKey))
})

const verify = verifier(() => keySet)

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

/**
 * Signing keys and the verified-token cache: rotation (signUntil and
 * verifyUntil), the public JWKS, rows sealed with another secret, the sealed
 * private half, and VerifiedTokenCache expiry, bound and deleteWhere. Shared
 * keys and helpers: tests/support/key-set.ts.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  KEY_SIGNING_WINDOW_MS,
  KEY_VERIFY_GRACE_MS,
  SESSION_TOKEN_ALG,
  generateSigningKey,
  importSigningKeys,
  type SigningKeySet,
} from '../../modules/guard/runtime/core/tokens/key-set'
import { VerifiedTokenCache } from '../../modules/guard/runtime/core/tokens/verified-cache'
import type { SigningKeyRow } from '../../modules/guard/runtime/core/store/signing-keys'
import { T0, mint, rejection, twoSigningKeys, verifier } from '../support/key-set'

const sealKey = new Uint8Array(randomBytes(32))
let rowA: SigningKeyRow
let keySet: SigningKeySet

beforeAll(async () => {
  ({ rowA, keySet } = await twoSigningKeys(sealKey))
})

const verify = verifier(() => keySet)

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
  it('a forged token that copies a cached token\'s signature tail never hits', () => {
    const cache = new VerifiedTokenCache<string>()
    const signature = 'S'.repeat(86)
    const genuine = `eyJhbGciOiJFUzI1NiJ9.eyJyb2xlcyI6WyJtZW1iZXIiXX0.${signature}`
    const forged = `eyJhbGciOiJFUzI1NiJ9.eyJyb2xlcyI6WyJhZG1pbiJdfQ.${signature}`
    cache.set(genuine, 'member', 1_000)
    expect(cache.get(forged, 0)).toBeUndefined()
    expect(cache.get(genuine, 0)).toBe('member')
  })

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

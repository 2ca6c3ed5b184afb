import { CompactSign } from 'jose'
import { expect } from 'vitest'
import {
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
import type { SigningKeyRow } from '../../modules/guard/runtime/core/store/signing-keys'

export const SKEW_MS = 5_000
/** A whole second, so that JWT second arithmetic is exact. */
export const T0 = 1_900_000_000_000
export const T0_S = T0 / 1000
export const encoder = new TextEncoder()

/** The reserved claims every test token is minted with. */
export const reserved = { sub: 'user_1', sid: 'sess_1', roles: ['member'] }

/** Two signing keys and the set holding both. */
export interface TwoKeys {
  rowA: SigningKeyRow
  rowB: SigningKeyRow
  keySet: SigningKeySet
  keyA: LoadedKey
  keyB: LoadedKey
}

/** Makes key rows A (at T0) and B (at T0 + 1 s) sealed with `sealKey`, and imports both into one set. */
export async function twoSigningKeys(sealKey: Uint8Array): Promise<TwoKeys> {
  const rowA = await generateSigningKey(sealKey, T0)
  const rowB = await generateSigningKey(sealKey, T0 + 1_000)
  const keySet = await importSigningKeys([rowA, rowB], sealKey)
  const keyA = keySet.keys.find(key => key.kid === rowA.kid)!
  const keyB = keySet.keys.find(key => key.kid === rowB.kid)!
  return { rowA, rowB, keySet, keyA, keyB }
}

/** Mints a session token with `reserved`, at T0 and for 60 s unless told otherwise. */
export function mint(key: LoadedKey, { nowSeconds = T0_S, ttlSeconds = 60, custom = {} as Record<string, unknown> } = {}) {
  return mintSessionToken(key, reserved, custom, { nowSeconds, ttlSeconds })
}

/**
 * A `verify(token, nowMs?, set?)` that checks at T0 + 1 s with a 5 s skew,
 * against `defaultSet()` unless given a set (a getter, as the file's set is
 * made in `beforeAll`).
 */
export function verifier(defaultSet: () => SigningKeySet) {
  return (token: string, nowMs = T0 + 1_000, set = defaultSet()) => verifySessionToken(token, set, { nowMs, skewMs: SKEW_MS })
}

/** The rejection of `promise`, which must be a TokenRejectedError. */
export async function rejection(promise: Promise<unknown>): Promise<TokenRejectedError> {
  const outcome = await promise.then(value => ({ value }), (error: unknown) => ({ error }))
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  expect(outcome.error).toBeInstanceOf(TokenRejectedError)
  return outcome.error as TokenRejectedError
}

/** Signs any header and payload with any key (no claim defaults added). */
export function forge(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey | Uint8Array) {
  return new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader(header as { alg: string })
    .sign(key)
}

/** The payload of a valid token minted at T0 for 60 s, with `overrides` applied. */
export function goodPayload(overrides: Record<string, unknown> = {}) {
  return { iss: GUARD_ISSUER, sub: 'user_1', sid: 'sess_1', roles: ['member'], iat: T0_S, nbf: T0_S, exp: T0_S + 60, ...overrides }
}

import { verify as verifySignature, type KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import type { SessionClaims } from '../policy/auth'
import { RESERVED_CLAIMS } from '../claims/template'
import { defineErrorCodes, GuardError } from '../errors'
import { SESSION_TOKEN_ALG, type LoadedKey } from './key-set'

const RESERVED = new Set(RESERVED_CLAIMS)

/** `iss` of every session token. */
export const GUARD_ISSUER = 'nuxt-guard'

/**
 * The session-token registry: why a token was refused. Each answers 401
 * `unauthenticated` with a plain description (the technical reason is the
 * error's message, for logs); `expired` is the only one a refresh can cure.
 */
export const SESSION_TOKEN_ERROR_CODES = defineErrorCodes({
  expired: { status: 401, answersAs: 'unauthenticated', description: 'Your session token has expired; sign in again.' },
  invalid: { status: 401, answersAs: 'unauthenticated', description: 'Your session token is not valid; sign in again.' },
  unknown_key: { status: 401, answersAs: 'unauthenticated', description: 'Your session token is signed by a key this server does not know; sign in again.' },
})

/**
 * Why a token was refused, finer than its code, in Clerk's
 * `TokenVerificationErrorReason` words (what `verifyGuardToken` reports).
 */
export type SessionTokenReason =
  | 'token-expired' | 'token-invalid' | 'token-invalid-algorithm' | 'token-invalid-signature'
  | 'token-invalid-issuer' | 'token-not-active-yet' | 'jwk-kid-mismatch'

const REASON_OF_CODE = { expired: 'token-expired', invalid: 'token-invalid', unknown_key: 'jwk-kid-mismatch' } as const

/**
 * A refused session token (`code`: `expired`, `invalid` or `unknown_key`;
 * `reason`: the finer {@link SessionTokenReason}).
 *
 * @example
 * new TokenRejectedError('expired', 'token expired').body() // { error: 'unauthenticated', error_description: 'Your session token has expired; sign in again.' }
 * new TokenRejectedError('invalid', 'signature verification failed', 'token-invalid-signature').reason // 'token-invalid-signature'
 */
export class TokenRejectedError extends GuardError<keyof typeof SESSION_TOKEN_ERROR_CODES> {
  static override readonly codes = SESSION_TOKEN_ERROR_CODES
  override name = 'TokenRejectedError'
  readonly reason: SessionTokenReason
  constructor(code: keyof typeof SESSION_TOKEN_ERROR_CODES, message: string, reason: SessionTokenReason = REASON_OF_CODE[code]) {
    super(code, undefined, {}, { message })
    this.reason = reason
  }
}

/**
 * Where the verifier finds the public key for a token's `kid`: the guard's
 * own key set (SigningKeySet), or the keys another service fetched from
 * GET /api/_guard/jwks.json (`verifyGuardToken`).
 */
export interface VerificationKeys {
  verificationKeyObject(kid: string | undefined, nowMs: number): KeyObject | undefined
}

/**
 * Signs a session token. Reserved claims always come from nuxt-guard, never
 * from `custom`.
 *
 * @example
 * const token = await mintSessionToken(key, { sub: user.id, sid, roles: user.roles }, custom, { nowSeconds, ttlSeconds: 60 })
 */
export function mintSessionToken(
  key: LoadedKey,
  reserved: Pick<SessionClaims, 'sub' | 'sid' | 'roles' | 'mfa' | 'fva' | 'cep' | 'email_verified' | 'azp' | 'aud' | 'org_id' | 'org_slug' | 'org_role' | 'org_permissions'>,
  custom: Record<string, unknown>,
  { nowSeconds, ttlSeconds }: { nowSeconds: number; ttlSeconds: number },
): Promise<string> {
  const { sub, sid, ...rest } = reserved
  const payload: Record<string, unknown> = {}
  for (const [claim, value] of Object.entries(custom)) if (!RESERVED.has(claim)) payload[claim] = value
  return new SignJWT({ ...payload, ...rest, sid })
    .setProtectedHeader({ alg: SESSION_TOKEN_ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(GUARD_ISSUER)
    .setSubject(sub)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .sign(key.privateKey)
}

/** Header members a session token may carry; anything else (`crit`, `b64`, `jku`, `jwk`, `x5u`…) is refused. */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ'])
const BASE64URL = /^[\w-]*$/

/**
 * Verifies a session token against the key set: ES256 only, our issuer,
 * `exp`, `iat`, `sub` and `sid` required, clock skew tolerated.
 *
 * The whole check runs synchronously on the calling thread (node:crypto's
 * one-shot ECDSA verify, ~0.1 ms) rather than as a WebCrypto job on libuv's
 * thread pool: a request with a new token then needs no other thread to be
 * scheduled, so it is not kept waiting for a time slice while password
 * hashing keeps the cores busy. The rules are jose's `jwtVerify` with the
 * options this module always used (tests/unit/tokens-verify.test.ts); tokens
 * are still minted with jose.
 *
 * @example
 * const claims = await verifySessionToken(token, keySet, { nowMs: Date.now(), skewMs: 5000 })
 */
export async function verifySessionToken(
  token: string,
  keySet: VerificationKeys,
  { nowMs, skewMs }: { nowMs: number; skewMs: number },
): Promise<SessionClaims> {
  return verifySessionTokenNow(token, keySet, { nowMs, skewMs })
}

/** The synchronous body of {@link verifySessionToken}; throws TokenRejectedError. */
export function verifySessionTokenNow(
  token: string,
  keySet: VerificationKeys,
  { nowMs, skewMs }: { nowMs: number; skewMs: number },
): SessionClaims {
  const invalid = (message: string, reason?: SessionTokenReason) => new TokenRejectedError('invalid', message, reason)
  if (typeof token !== 'string') throw invalid('Compact JWS must be a string')
  const parts = token.split('.')
  if (parts.length !== 3) throw invalid('Invalid Compact JWS')
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string]
  if (!BASE64URL.test(encodedHeader) || !BASE64URL.test(encodedPayload) || !BASE64URL.test(encodedSignature)) throw invalid('The token is not valid base64url')
  const header = parseJsonObject(encodedHeader)
  if (!header) throw invalid('JWS Protected Header is invalid')
  for (const member of Object.keys(header)) if (!HEADER_MEMBERS.has(member)) throw invalid(`JWS header member "${member}" is not allowed`)
  if (typeof header.alg !== 'string' || !header.alg) throw invalid('JWS "alg" (Algorithm) Header Parameter missing or invalid', 'token-invalid-algorithm')
  if (header.alg !== SESSION_TOKEN_ALG) throw invalid('"alg" (Algorithm) Header Parameter value not allowed', 'token-invalid-algorithm')
  const key = keySet.verificationKeyObject(typeof header.kid === 'string' ? header.kid : undefined, nowMs)
  if (!key) throw new TokenRejectedError('unknown_key', `no key ${String(header.kid)}`)
  const signature = Buffer.from(encodedSignature, 'base64url')
  let verified = false
  try {
    verified = signature.length === 64 && signature.toString('base64url') === encodedSignature && verifySignature('sha256', Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, signature)
  }
  catch { verified = false }
  if (!verified) throw invalid('signature verification failed', 'token-invalid-signature')
  const payload = parseJsonObject(encodedPayload)
  if (!payload) throw invalid('JWT Claims Set must be a top-level JSON object')
  if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== 'application/jwt') throw invalid('unexpected "typ" JWT header value')
  for (const claim of ['iss', 'sid', 'sub', 'iat', 'exp']) if (!Object.hasOwn(payload, claim)) throw invalid(`missing required "${claim}" claim`)
  if (payload.iss !== GUARD_ISSUER) throw invalid('unexpected "iss" claim value', 'token-invalid-issuer')
  const now = Math.floor(nowMs / 1000)
  const tolerance = skewMs / 1000
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') throw invalid(`"${claim}" claim must be a number`)
  }
  if (payload.nbf !== undefined && (payload.nbf as number) > now + tolerance) throw invalid('"nbf" claim timestamp check failed', 'token-not-active-yet')
  if ((payload.exp as number) <= now - tolerance) throw new TokenRejectedError('expired', 'token expired')
  if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !Array.isArray(payload.roles)) throw invalid('malformed session claims')
  return payload as SessionClaims
}

/** A base64url segment's JSON, when it is a plain object (UTF-8 checked strictly). */
function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  let value: unknown
  try { value = JSON.parse(STRICT_UTF8.decode(Buffer.from(segment, 'base64url'))) }
  catch { return undefined }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const prototype = Object.getPrototypeOf(value)
  return prototype === null || prototype === Object.prototype ? value as Record<string, unknown> : undefined
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

/** `JWT`, `jwt` and `application/jwt` are one media type (RFC 7515 §4.1.9), as jose compares them. */
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase()
  return typ.includes('/') ? lower : `application/${lower}`
}

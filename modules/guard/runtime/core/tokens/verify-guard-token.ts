import { createPublicKey, type KeyObject } from 'node:crypto'
import type { SessionClaims } from '../policy/auth'
import { RemoteJwks, RemoteJwksError } from './remote-jwks'
import { TokenRejectedError, verifySessionTokenNow, type VerificationKeys } from './session-token'
import { audienceSetting, authorizedPartiesSetting, tokenAudienceProblem } from './token-audience'

/**
 * Why `verifyGuardToken` refused a token. Clerk's `TokenVerificationErrorReason`
 * values where Clerk has one (a Clerk user's `catch` keeps working);
 * `token-invalid-audience` is ours (Clerk reports a wrong `aud` as
 * `token-verification-failed`).
 */
export const TokenVerificationErrorReason = {
  TokenExpired: 'token-expired',
  TokenInvalid: 'token-invalid',
  TokenInvalidAlgorithm: 'token-invalid-algorithm',
  TokenInvalidAudience: 'token-invalid-audience',
  TokenInvalidAuthorizedParties: 'token-invalid-authorized-parties',
  TokenInvalidIssuer: 'token-invalid-issuer',
  TokenInvalidSignature: 'token-invalid-signature',
  TokenNotActiveYet: 'token-not-active-yet',
  JWKKidMismatch: 'jwk-kid-mismatch',
  JWKFailedToResolve: 'jwk-failed-to-resolve',
  RemoteJWKFailedToLoad: 'jwk-remote-failed-to-load',
  RemoteJWKInvalid: 'jwk-remote-invalid',
} as const

export type TokenVerificationErrorReason = (typeof TokenVerificationErrorReason)[keyof typeof TokenVerificationErrorReason]

/**
 * A token `verifyGuardToken` refused, with the `reason` (see
 * {@link TokenVerificationErrorReason}). The `jwk-*` reasons other than
 * `jwk-kid-mismatch` are the verifier's problem (no key set to check
 * against: answer 503), every other one the caller's (answer 401).
 *
 * @example
 * catch (error) {
 *   if (error instanceof TokenVerificationError && error.reason === 'token-expired') return refresh()
 * }
 */
export class TokenVerificationError extends Error {
  override name = 'TokenVerificationError'
  constructor(readonly reason: TokenVerificationErrorReason, message: string, options?: { cause?: unknown }) { super(message, options) }
}

export interface VerifyGuardTokenOptions {
  /**
   * The issuing app's key set: `https://app.example.com/api/_guard/jwks.json`.
   * Fetched once and cached (1 h); a token signed by a key it does not know
   * (keys rotate daily) fetches it again, at most once per 30 s.
   */
  jwksUrl?: string
  /**
   * Instead of `jwksUrl`: one public key, PEM (SPKI, P-256), checked with no
   * network at all. Keys rotate every 24 h, so a pinned key verifies only
   * the tokens it signed; prefer `jwksUrl` outside tests.
   */
  jwtKey?: string
  /** `aud` must be (or contain) one of these: the issuing app's `audience` setting. */
  audience?: string | readonly string[]
  /** `azp` must be one of these origins; a token without `azp` is refused too. */
  authorizedParties?: readonly string[]
  /** Tolerated clock difference for `exp` and `nbf`. @default 5000 (Clerk's) */
  clockSkewInMs?: number
  /** How long fetched keys are kept. @default 3_600_000 */
  jwksCacheTtlInMs?: number
  /** An unknown `kid` fetches the key set again at most once per this long. @default 30_000 */
  jwksMinRefetchIntervalInMs?: number
  /** The `fetch` for the key set. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
}

/** One RemoteJwks per JWKS URL and cache settings, shared by every call in this process. */
const remoteSets = new Map<string, RemoteJwks>()
/** Imported PEM keys, by their text. */
const pemKeys = new Map<string, VerificationKeys>()

/**
 * Verifies a nuxt-guard session token in any Node service, with no Nuxt, h3
 * or Nitro (import it from `nuxt-guard/verify`): the same rules the guard's
 * middleware applies (ES256 only, a `kid` from the key set, issuer
 * `nuxt-guard`, `exp`, `iat`, `sub` and `sid` required, 5 s of skew), then
 * `audience` and `authorizedParties` as Clerk's `verifyToken` checks them.
 * Networkless once the key set is cached (or always, with `jwtKey`).
 * Resolves to the claims; throws {@link TokenVerificationError}.
 * It does not know whether the session was revoked since the token was
 * minted: tokens live 60 s by default (`session.tokenTtlSeconds`).
 *
 * @example
 * import { verifyGuardToken } from 'nuxt-guard/verify'
 * const claims = await verifyGuardToken(bearer, {
 *   jwksUrl: 'https://app.example.com/api/_guard/jwks.json',
 *   audience: 'https://orders.example.com',
 *   authorizedParties: ['https://app.example.com'],
 * })
 * claims.sub // 'user_…'
 */
export async function verifyGuardToken(token: string, options: VerifyGuardTokenOptions): Promise<SessionClaims> {
  const skewMs = options.clockSkewInMs ?? 5_000
  const claims = options.jwtKey !== undefined ? verifyWith(token, pemKey(options.jwtKey), skewMs) : await verifyRemote(token, options, skewMs)
  const problem = tokenAudienceProblem(claims, { audience: audienceSetting(options.audience), authorizedParties: authorizedPartiesSetting(options.authorizedParties) })
  if (problem) throw new TokenVerificationError(problem.reason, `Invalid JWT: ${problem.message}`)
  return claims
}

async function verifyRemote(token: string, options: VerifyGuardTokenOptions, skewMs: number): Promise<SessionClaims> {
  if (!options.jwksUrl) throw new TokenVerificationError('jwk-failed-to-resolve', 'verifyGuardToken needs `jwksUrl` (the app\'s /api/_guard/jwks.json) or `jwtKey` (a PEM public key)')
  const jwks = remoteJwks(options)
  try { await jwks.ready() }
  catch (error) { throw fromRemote(error) }
  try {
    return verifyWith(token, jwks, skewMs)
  }
  catch (error) {
    // Keys rotate: a kid we have not seen may be a new key. One refetch (rate-limited), then one retry.
    if (!(error instanceof TokenVerificationError) || error.reason !== 'jwk-kid-mismatch' || !(await jwks.refreshForUnknownKid())) throw error
    return verifyWith(token, jwks, skewMs)
  }
}

function verifyWith(token: string, keys: VerificationKeys, skewMs: number): SessionClaims {
  try {
    return verifySessionTokenNow(token, keys, { nowMs: Date.now(), skewMs })
  }
  catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error
    throw new TokenVerificationError(error.reason, `Invalid JWT: ${error.message}`, { cause: error })
  }
}

function remoteJwks(options: VerifyGuardTokenOptions): RemoteJwks {
  const key = `${options.jwksUrl}\n${options.jwksCacheTtlInMs ?? ''}\n${options.jwksMinRefetchIntervalInMs ?? ''}`
  let jwks = remoteSets.get(key)
  if (!jwks) {
    jwks = new RemoteJwks(options.jwksUrl!, { cacheTtlMs: options.jwksCacheTtlInMs, minRefetchIntervalMs: options.jwksMinRefetchIntervalInMs, fetch: options.fetch })
    remoteSets.set(key, jwks)
  }
  return jwks
}

function fromRemote(error: unknown): TokenVerificationError {
  if (error instanceof RemoteJwksError) return new TokenVerificationError(error.reason, error.message, { cause: error })
  return new TokenVerificationError('jwk-remote-failed-to-load', String((error as Error)?.message ?? error), { cause: error })
}

/** A PEM public key as the key for every `kid` (Clerk's `jwtKey` does not look at `kid` either). */
function pemKey(pem: string): VerificationKeys {
  let keys = pemKeys.get(pem)
  if (!keys) {
    let key: KeyObject
    try { key = createPublicKey(pem) }
    catch (error) { throw new TokenVerificationError('jwk-failed-to-resolve', 'jwtKey is not a PEM public key', { cause: error }) }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new TokenVerificationError('jwk-failed-to-resolve', 'jwtKey must be a P-256 (ES256) public key, as GET /api/_guard/jwks.json publishes')
    }
    keys = { verificationKeyObject: () => key }
    pemKeys.set(pem, keys)
  }
  return keys
}

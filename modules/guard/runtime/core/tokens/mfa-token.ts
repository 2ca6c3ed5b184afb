import { EncryptJWT, errors, jwtDecrypt } from 'jose'
import { randomToken } from '../crypto/random'
import { MfaTokenError, MfaTokenExpiredError, MfaTokenInvalidError } from '../mfa/step-up-errors'

/**
 * Why an mfa_token was refused: 401 `mfa_token_expired` or `mfa_token_invalid`,
 * 404 `mfa_token_not_found` (MfaTokenExpiredError, MfaTokenInvalidError,
 * MfaTokenNotFoundError: core/mfa/step-up-errors.ts; the API answers them as they are).
 *
 * @example
 * try { await verifyMfaToken(key, token, { sessionId, nowSeconds }) }
 * catch (error) { if (error instanceof MfaTokenError) console.log(error.code, error.status) } // 'mfa_token_expired' 401
 */
export { MfaTokenError }

export interface MfaTokenClaims { sid: string; jti: string; iat: number; exp: number }

const OPTIONS = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] }

/**
 * Mints a step-up `mfa_token`: a JWE (`dir` + `A256GCM`) bound to one session,
 * valid for `ttlSeconds`.
 *
 * @example
 * const token = await mintMfaToken(deriveKey(secret, 'mfa-token'), { sessionId, nowSeconds, ttlSeconds: 300 })
 */
export function mintMfaToken(key: Uint8Array, { sessionId, nowSeconds, ttlSeconds }: { sessionId: string; nowSeconds: number; ttlSeconds: number }): Promise<string> {
  return new EncryptJWT({ sid: sessionId, typ: 'mfa' })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setJti(randomToken(12))
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .encrypt(key)
}

/**
 * Opens an `mfa_token` made with `key`, whichever session it names: throws
 * MfaTokenExpiredError past its TTL, MfaTokenInvalidError when it was
 * altered, made with another key or is not an `mfa_token`.
 *
 * @example
 * const { sid, iat } = await openMfaToken(key, body.mfaToken, nowSeconds)
 */
export async function openMfaToken(key: Uint8Array, token: string, nowSeconds: number): Promise<MfaTokenClaims> {
  let payload: Record<string, unknown>
  try {
    ({ payload } = await jwtDecrypt(token, key, { ...OPTIONS, currentDate: new Date(nowSeconds * 1000), requiredClaims: ['exp', 'jti', 'iat'] }))
  }
  catch (error) {
    if (error instanceof errors.JWTExpired) throw new MfaTokenExpiredError()
    throw new MfaTokenInvalidError()
  }
  if (payload.typ !== 'mfa' || typeof payload.sid !== 'string') throw new MfaTokenInvalidError()
  return payload as unknown as MfaTokenClaims
}

/**
 * Opens an `mfa_token` for `sessionId`: as {@link openMfaToken}, and
 * `mfa_token_invalid` when it belongs to another session. (The step-up
 * check, MfaCore.verifyStepUpToken, also tells a token whose context is gone:
 * core/mfa/step-up-token.ts.)
 *
 * @example
 * const claims = await verifyMfaToken(key, body.mfaToken, { sessionId: auth.sessionId, nowSeconds })
 */
export async function verifyMfaToken(key: Uint8Array, token: string, { sessionId, nowSeconds }: { sessionId: string; nowSeconds: number }): Promise<MfaTokenClaims> {
  const claims = await openMfaToken(key, token, nowSeconds)
  if (claims.sid !== sessionId) throw new MfaTokenInvalidError(ANOTHER_SESSION)
  return claims
}

/** The description of a token presented by another live session. */
export const ANOTHER_SESSION = 'The mfa_token belongs to another session; retry the original request to get a new one.'

import { EncryptJWT, errors, jwtDecrypt } from 'jose'
import { randomToken } from '../crypto/random'
import { MfaError } from '../mfa/errors'

/**
 * Why an mfa_token was refused: 401 `mfa_token_expired` or `mfa_token_invalid`
 * (an MfaError: the API answers it as it is).
 *
 * @example
 * try { await verifyMfaToken(key, token, { sessionId, nowSeconds }) }
 * catch (error) { if (error instanceof MfaTokenError) console.log(error.code, error.status) } // 'mfa_token_expired' 401
 */
export class MfaTokenError extends MfaError<'mfa_token_expired' | 'mfa_token_invalid'> {
  override name = 'MfaTokenError'
  constructor(code: 'mfa_token_expired' | 'mfa_token_invalid', message: string) { super(code, message) }
}

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
 * Opens an `mfa_token` for `sessionId`. Throws `MfaTokenError`:
 * `mfa_token_expired` past its TTL, `mfa_token_invalid` when it was altered,
 * made with another key or belongs to another session.
 *
 * @example
 * const claims = await verifyMfaToken(key, body.mfaToken, { sessionId: auth.sessionId, nowSeconds })
 */
export async function verifyMfaToken(key: Uint8Array, token: string, { sessionId, nowSeconds }: { sessionId: string; nowSeconds: number }): Promise<MfaTokenClaims> {
  let payload: Record<string, unknown>
  try {
    ({ payload } = await jwtDecrypt(token, key, { ...OPTIONS, currentDate: new Date(nowSeconds * 1000), requiredClaims: ['exp', 'jti', 'iat'] }))
  }
  catch (error) {
    if (error instanceof errors.JWTExpired) throw new MfaTokenError('mfa_token_expired', 'The mfa_token has expired; retry the original request to get a new one.')
    throw new MfaTokenError('mfa_token_invalid', 'The mfa_token is not valid; retry the original request to get a new one.')
  }
  if (payload.typ !== 'mfa' || payload.sid !== sessionId) {
    throw new MfaTokenError('mfa_token_invalid', 'The mfa_token belongs to another session; retry the original request to get a new one.')
  }
  return payload as unknown as MfaTokenClaims
}

import { SignJWT, jwtVerify, errors } from 'jose'
import type { SessionClaims } from '../policy/auth'
import { RESERVED_CLAIMS } from '../claims/template'
import { SESSION_TOKEN_ALG, type LoadedKey, type SigningKeySet } from './key-set'

const RESERVED = new Set(RESERVED_CLAIMS)

/** `iss` of every session token. */
export const GUARD_ISSUER = 'nuxt-guard'

/** Why a token was refused; `expired` is the only one a refresh can cure. */
export class TokenRejectedError extends Error {
  constructor(readonly code: 'expired' | 'invalid' | 'unknown_key', message: string) { super(message) }
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
  reserved: Pick<SessionClaims, 'sub' | 'sid' | 'roles' | 'mfa' | 'fva' | 'cep'>,
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

/**
 * Verifies a session token against the key set: ES256 only, our issuer,
 * `exp`, `iat`, `sub` and `sid` required, clock skew tolerated.
 *
 * @example
 * const claims = await verifySessionToken(token, keySet, { nowMs: Date.now(), skewMs: 5000 })
 */
export async function verifySessionToken(
  token: string,
  keySet: SigningKeySet,
  { nowMs, skewMs }: { nowMs: number; skewMs: number },
): Promise<SessionClaims> {
  try {
    const { payload } = await jwtVerify(token, (header) => {
      const key = keySet.verificationKey(header.kid, nowMs)
      if (!key) throw new TokenRejectedError('unknown_key', `no key ${String(header.kid)}`)
      return key
    }, {
      algorithms: [SESSION_TOKEN_ALG],
      issuer: GUARD_ISSUER,
      typ: 'JWT',
      requiredClaims: ['exp', 'iat', 'sub', 'sid'],
      clockTolerance: skewMs / 1000,
      currentDate: new Date(nowMs),
    })
    if (typeof payload.sid !== 'string' || !Array.isArray(payload.roles)) throw new TokenRejectedError('invalid', 'malformed session claims')
    return payload as SessionClaims
  }
  catch (error) {
    if (error instanceof TokenRejectedError) throw error
    if (error instanceof errors.JWTExpired) throw new TokenRejectedError('expired', 'token expired')
    throw new TokenRejectedError('invalid', error instanceof Error ? error.message : 'invalid token')
  }
}

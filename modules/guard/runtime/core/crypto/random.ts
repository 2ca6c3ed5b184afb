import { createHash, randomBytes } from 'node:crypto'

/**
 * A new opaque identifier with a readable prefix and 128 random bits.
 *
 * @example
 * newId('user') // 'user_3q2-7wYt0Zb1K9mH8cX4Aw'
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`
}

/**
 * A bearer secret (refresh token, one-time link): 256 random bits, base64url.
 *
 * @example
 * const refreshToken = randomToken()
 */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/**
 * SHA-256 of a high-entropy token, for lookup by hash. Not for passwords.
 *
 * @example
 * const row = await findSessionByRefreshHash(db, sha256(refreshToken))
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}

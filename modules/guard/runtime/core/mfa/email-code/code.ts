import { createHmac, randomInt, timingSafeEqual } from 'node:crypto'

/** Digits in an email code. */
export const EMAIL_CODE_DIGITS = 6
/** How long an email code works. */
export const EMAIL_CODE_TTL_SECONDS = 600
/** Wrong guesses a single code survives. */
export const EMAIL_CODE_MAX_ATTEMPTS = 5

/**
 * A uniformly random numeric code.
 *
 * @example
 * newEmailCode() // '048213'
 */
export function newEmailCode(): string {
  return String(randomInt(0, 10 ** EMAIL_CODE_DIGITS)).padStart(EMAIL_CODE_DIGITS, '0')
}

/**
 * Keyed hash of a code, salted with its row id (a database leak alone does
 * not let anyone brute-force the six digits).
 *
 * @example
 * const codeHash = hashEmailCode(id, code, deriveKey(secret, 'code-pepper'))
 */
export function hashEmailCode(id: string, code: string, pepper: Uint8Array): string {
  return createHmac('sha256', pepper).update(`email-code:${id}:${code.replace(/\s+/g, '')}`).digest('base64url')
}

/**
 * Constant-time check of a submitted code against its stored hash.
 *
 * @example
 * if (!emailCodeMatches(row.id, input, row.codeHash, pepper)) throw invalidCode()
 */
export function emailCodeMatches(id: string, code: string, storedHash: string, pepper: Uint8Array): boolean {
  const actual = Buffer.from(hashEmailCode(id, code, pepper))
  const expected = Buffer.from(storedHash)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * An address shown without revealing it: `ada@example.com` → `a***@example.com`.
 *
 * @example
 * maskEmail('ada@example.com') // 'a***@example.com'
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`
}

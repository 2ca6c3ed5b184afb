import { createHmac, randomInt, timingSafeEqual } from 'node:crypto'

/**
 * One-time codes sent by email for an account action (a password reset, an
 * address to verify or change): 10 symbols of 31 (no 0/O, 1/I/L), about 49
 * bits, grouped for reading. Stored only as a keyed hash salted with the
 * row's id and labelled with the action (`purpose`), so a database leak
 * alone does not let anyone try codes offline, and a code made for one
 * action never matches a row of another. Compared in constant time.
 */

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
const LENGTH = 10

/** What a code is for; part of its hash. `password-reset` is the label reset codes have always had. */
export type OneTimeCodePurpose = 'password-reset' | 'email-verify' | 'email-change'

/**
 * A random code, grouped for reading: `XXXXX-XXXXX`.
 *
 * @example
 * newOneTimeCode() // 'K7Q2M-9XHTC'
 */
export function newOneTimeCode(): string {
  let code = ''
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return `${code.slice(0, 5)}-${code.slice(5)}`
}

/**
 * What a typed code compares as: upper case, spaces and dashes dropped.
 *
 * @example
 * normalizeOneTimeCode(' k7q2m 9xhtc') // 'K7Q2M9XHTC'
 */
export function normalizeOneTimeCode(code: string): string {
  return code.replace(/[\s-]+/g, '').toUpperCase()
}

/**
 * Keyed hash (HMAC-SHA-256, base64url) of a code for one purpose, salted with its row id.
 *
 * @example
 * const codeHash = hashOneTimeCode('email-verify', id, code, guard.mfa.pepper)
 */
export function hashOneTimeCode(purpose: OneTimeCodePurpose, id: string, code: string, pepper: Uint8Array): string {
  return createHmac('sha256', pepper).update(`${purpose}:${id}:${normalizeOneTimeCode(code)}`).digest('base64url')
}

/**
 * Constant-time check of a typed code against its stored hash.
 *
 * @example
 * if (!oneTimeCodeMatches('email-verify', row.id, input, row.codeHash, pepper)) throw invalidCode()
 */
export function oneTimeCodeMatches(purpose: OneTimeCodePurpose, id: string, code: string, storedHash: string, pepper: Uint8Array): boolean {
  const actual = Buffer.from(hashOneTimeCode(purpose, id, code, pepper))
  const expected = Buffer.from(storedHash)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

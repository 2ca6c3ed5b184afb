import { createHmac, randomInt, timingSafeEqual } from 'node:crypto'

/** How long a reset code works: 30 minutes. */
export const RESET_CODE_TTL_SECONDS = 1_800
/** Wrong guesses one reset code survives. */
export const RESET_CODE_MAX_ATTEMPTS = 5
/** Characters of a reset code (no 0/O, 1/I/L): 10 of 31 symbols, about 49 bits. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
const LENGTH = 10

/**
 * A random reset code, grouped for reading: `XXXXX-XXXXX`.
 *
 * @example
 * newResetCode() // 'K7Q2M-9XHTC'
 */
export function newResetCode(): string {
  let code = ''
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return `${code.slice(0, 5)}-${code.slice(5)}`
}

/** What a typed code compares as: upper case, spaces and dashes dropped. */
export function normalizeResetCode(code: string): string {
  return code.replace(/[\s-]+/g, '').toUpperCase()
}

/**
 * Keyed hash of a reset code, salted with its row id (a database leak alone
 * does not let anyone try codes offline).
 *
 * @example
 * const codeHash = hashResetCode(id, code, guard.mfa.pepper)
 */
export function hashResetCode(id: string, code: string, pepper: Uint8Array): string {
  return createHmac('sha256', pepper).update(`password-reset:${id}:${normalizeResetCode(code)}`).digest('base64url')
}

/**
 * Constant-time check of a typed code against its stored hash.
 *
 * @example
 * if (!resetCodeMatches(row.id, input, row.codeHash, pepper)) throw invalidResetCode(attemptsRemaining)
 */
export function resetCodeMatches(id: string, code: string, storedHash: string, pepper: Uint8Array): boolean {
  const actual = Buffer.from(hashResetCode(id, code, pepper))
  const expected = Buffer.from(storedHash)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

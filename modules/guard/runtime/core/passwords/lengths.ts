/** NIST SP 800-63B §3.1.1.2: a new password has at least 8 characters (Unicode code points). */
export const PASSWORD_MIN_LENGTH = 8

/**
 * At most 256 characters (NIST asks to accept at least 64). This bounds the
 * work a password causes: scrypt pre-hashes it with one HMAC-SHA-256 pass
 * (microseconds even for 256 characters NFKC-expanded, beside the fixed
 * memory-hard part), and zxcvbn analyses only the first 64 characters.
 */
export const PASSWORD_MAX_LENGTH = 256

/**
 * A password's length as NIST counts it: Unicode code points (`'🔑'` is 1, not 2).
 *
 * @example
 * passwordLength('clé 🔑') // 5
 */
export function passwordLength(password: string): number {
  let length = 0
  for (const _ of password) length++
  return length
}

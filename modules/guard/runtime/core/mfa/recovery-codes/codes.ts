import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/** How many codes a set has. */
export const RECOVERY_CODE_COUNT = 10
const CODE_BYTES = 10 // 80 bits
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789' // base32 without 0/O, 1/I
const KDF = { N: 2 ** 14, r: 8, p: 1, maxmem: 32 * 1024 * 1024 }

/**
 * A new set of recovery codes, 80 random bits each, written as four groups
 * of four base32 characters (`7KQM-2XHC-R9TF-WD4N`).
 *
 * @example
 * const codes = newRecoveryCodes() // 10 strings, shown to the user once
 */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let buffer = 0
    let bits = 0
    let text = ''
    for (const byte of randomBytes(CODE_BYTES)) {
      buffer = (buffer << 8) | byte
      bits += 8
      while (bits >= 5) {
        bits -= 5
        text += ALPHABET[(buffer >> bits) & 31]
      }
      buffer &= (1 << bits) - 1
    }
    return text.match(/.{4}/g)!.join('-')
  })
}

/**
 * The form a code is hashed in: upper case, without spaces or dashes.
 *
 * @example
 * normalizeRecoveryCode('7kqm 2xhc-r9tf-wd4n') // '7KQM2XHCR9TFWD4N'
 */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '')
}

function derive(code: string, salt: Buffer, pepper: Uint8Array): Promise<Buffer> {
  const peppered = createHmac('sha256', pepper).update(normalizeRecoveryCode(code)).digest()
  return new Promise((resolve, reject) => scrypt(peppered, salt, 32, KDF, (error, key) => (error ? reject(error) : resolve(key))))
}

/**
 * Salted, peppered scrypt hash of a recovery code (`scrypt$<salt>$<hash>`).
 *
 * @example
 * const stored = await hashRecoveryCode(code, deriveKey(secret, 'code-pepper'))
 */
export async function hashRecoveryCode(code: string, pepper: Uint8Array): Promise<string> {
  const salt = randomBytes(16)
  return `scrypt$${salt.toString('base64url')}$${(await derive(code, salt, pepper)).toString('base64url')}`
}

/**
 * Which stored hash (by index) a submitted code matches, or -1. Every
 * candidate is checked, each in constant time, so the timing says nothing
 * about which code (if any) matched.
 *
 * @example
 * const index = await matchRecoveryCode(input, unused.map(c => c.codeHash), pepper)
 */
export async function matchRecoveryCode(code: string, storedHashes: string[], pepper: Uint8Array): Promise<number> {
  const results = await Promise.all(storedHashes.map(async (stored) => {
    const [scheme, salt, hash] = stored.split('$')
    if (scheme !== 'scrypt' || !salt || !hash) return false
    const expected = Buffer.from(hash, 'base64url')
    const actual = await derive(code, Buffer.from(salt, 'base64url'), pepper)
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  }))
  return results.indexOf(true)
}

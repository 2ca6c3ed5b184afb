import { CompactEncrypt, compactDecrypt } from 'jose'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Encrypts a string for storage with a derived key (JWE, `dir` + `A256GCM`).
 *
 * @example
 * const stored = await seal(totpSecret, deriveKey(secret, 'seal'))
 */
export function seal(plaintext: string, key: Uint8Array): Promise<string> {
  return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key)
}

/**
 * Decrypts what `seal` produced; throws when the value was altered or sealed
 * with another key.
 *
 * @example
 * const totpSecret = await unseal(row.secret_sealed, deriveKey(secret, 'seal'))
 */
export async function unseal(sealed: string, key: Uint8Array): Promise<string> {
  const { plaintext } = await compactDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] })
  return decoder.decode(plaintext)
}

import { hkdfSync } from 'node:crypto'

/** Shortest accepted `NUXT_GUARD_SECRET`, in bytes. */
export const MIN_SECRET_BYTES = 32

/** What each derived key is for; a label never serves two purposes. */
export type KeyPurpose = 'seal' | 'mfa-token' | 'device' | 'code-pepper' | 'known-device'

/**
 * Derives a 256-bit key for one purpose from the server secret (HKDF-SHA256),
 * so that one leaked derived key reveals nothing about the others.
 *
 * @example
 * const sealKey = deriveKey(secret, 'seal') // Uint8Array(32)
 */
export function deriveKey(secret: string, purpose: KeyPurpose): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'nuxt-guard', `nuxt-guard:${purpose}`, 32))
}

/**
 * Explains what is wrong with a candidate secret, or returns `undefined` when
 * it is usable.
 *
 * @example
 * const problem = describeSecretProblem(process.env.NUXT_GUARD_SECRET)
 * if (problem) throw new Error(problem)
 */
export function describeSecretProblem(secret: string | undefined): string | undefined {
  const fix = 'Generate one once with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))", keep it with your deployment\'s secrets, and set it as NUXT_GUARD_SECRET on every start and every instance (a new one each start would sign everyone out and break their authenticator apps).'
  if (!secret) return `NUXT_GUARD_SECRET is not set. ${fix}`
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    return `NUXT_GUARD_SECRET is ${Buffer.byteLength(secret)} bytes; it needs at least ${MIN_SECRET_BYTES}. ${fix}`
  }
  return undefined
}

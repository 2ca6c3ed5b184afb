import { availableParallelism } from 'node:os'
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { Semaphore } from './semaphore'

/** scrypt cost: N = 2^15, r = 8, p = 1 (OWASP's minimum is 2^17 with p = 1 at r = 8 for 64 MiB; this is 32 MiB). */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const
const KEY_LENGTH = 32
const SALT_BYTES = 16
const MAX_MEMORY = 64 * 1024 * 1024

/** libuv's thread pool size: `UV_THREADPOOL_SIZE`, 4 by default. */
const POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4

/**
 * How many scrypt runs may use libuv's thread pool at once: two threads are
 * always left for token verification (WebCrypto), fs and DNS, so a burst of
 * sign-ins cannot queue them behind seconds of hashing; and one CPU core is
 * left to the event loop (scrypt is pure CPU: two hashes on a two-core
 * machine would leave every other request waiting for a time slice). It also
 * caps scrypt's memory at this many × 32 MiB.
 */
export const PASSWORD_HASH_CONCURRENCY = Math.max(1, Math.min(POOL_SIZE - 2, availableParallelism() - 1))

const hashing = new Semaphore(PASSWORD_HASH_CONCURRENCY)

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return hashing.run(() => new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key)))
  }))
}

/**
 * Hashes a password with async scrypt (runs on the libuv pool, never blocks
 * the event loop; at most PASSWORD_HASH_CONCURRENCY at once, the rest wait in
 * order). The result carries its own parameters and salt.
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple')
 * // 'scrypt$32768$8$1$<salt>$<hash>'
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/**
 * Checks a password against a stored hash in constant time. A malformed
 * stored value never verifies.
 *
 * @example
 * if (!(await verifyPassword(input, user.passwordHash))) throw wrongPassword()
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, blockSize, parallelism, salt, hash] = stored.split('$')
  const params = { N: Number(cost), r: Number(blockSize), p: Number(parallelism) }
  if (scheme !== 'scrypt' || !salt || !hash || !plausibleParams(params)) return false
  const expected = Buffer.from(hash, 'base64url')
  const key = await derive(password, Buffer.from(salt, 'base64url'), params).catch(() => undefined)
  return key !== undefined && key.length === expected.length && timingSafeEqual(key, expected)
}

/** Parameters a stored hash may name: a power-of-two cost up to 2^20, within the memory cap. */
function plausibleParams({ N, r, p }: { N: number; r: number; p: number }): boolean {
  const powerOfTwo = Number.isInteger(N) && N >= 2 ** 10 && N <= 2 ** 20 && (N & (N - 1)) === 0
  return powerOfTwo && Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16 && 128 * N * r <= MAX_MEMORY
}

/**
 * A hash that takes as long to check as a real one, so that "no such user"
 * and "wrong password" cannot be told apart by timing.
 *
 * @example
 * await verifyPassword(input, user?.passwordHash ?? await decoyPasswordHash())
 */
export const decoyPasswordHash: () => Promise<string> = (() => {
  let decoy: Promise<string> | undefined
  return () => (decoy ??= hashPassword(randomBytes(16).toString('hex')))
})()

import { availableParallelism } from 'node:os'
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { Semaphore } from './semaphore'

/** scrypt cost: N = 2^15, r = 8, p = 1 (OWASP's minimum is 2^17 with p = 1 at r = 8 for 64 MiB; this is 32 MiB). */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const
const KEY_LENGTH = 32
const SALT_BYTES = 16
const MAX_MEMORY = 64 * 1024 * 1024

/** libuv's thread pool size: `UV_THREADPOOL_SIZE`, 4 by default. */
const POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4

/**
 * How many passwords hash at once: one CPU core is always left to the event
 * loop (scrypt is pure CPU: two hashes on a two-core machine would leave
 * every other request waiting for a time slice), and, should scrypt fall back
 * to libuv's thread pool (no hashing thread could start), two pool threads
 * stay free for fs, DNS and signing. It also caps scrypt's memory at this
 * many × 32 MiB.
 */
export const PASSWORD_HASH_CONCURRENCY = Math.max(1, Math.min(POOL_SIZE - 2, availableParallelism() - 1))

const hashing = new Semaphore(PASSWORD_HASH_CONCURRENCY)

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return hashing.run(() => hashers.run(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: MAX_MEMORY }))
}

/**
 * A hashing thread's code: scrypt, synchronously, on a thread whose
 * scheduling priority it lowers first. On Linux a nice value belongs to one
 * thread (`setpriority(PRIO_PROCESS, 0)` is the calling thread); elsewhere it
 * would be the whole process's, so the priority is left alone there.
 */
const HASHER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { scryptSync } = require('node:crypto')
const os = require('node:os')
if (process.platform === 'linux') {
  try { os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL) } catch {}
}
parentPort.on('message', ({ password, salt, keyLength, options }) => {
  try {
    parentPort.postMessage({ key: scryptSync(password, salt, keyLength, options) })
  }
  catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) })
  }
})
`

/**
 * The threads passwords hash on: started when first needed, one per hash in
 * flight (the semaphore keeps that at PASSWORD_HASH_CONCURRENCY), idle ones
 * kept for the next sign-in and never keeping the process alive.
 *
 * Why not libuv's thread pool (async `scrypt`): a hash takes one core for
 * ~50–100 ms, and on the pool it competes for CPU at the same priority as
 * the event loop. While twenty sign-ins hash back to back on a two-core
 * machine, every request (and every other thread of the app) then waits for
 * time slices behind it. A hashing thread below normal priority gives way
 * whenever the event loop has work, and hashes with whatever CPU is left.
 */
class Hashers {
  private readonly idle: Worker[] = []

  run(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
    let worker: Worker
    try {
      worker = this.idle.pop() ?? this.start()
    }
    catch {
      // No thread could start (a resource limit): hash on libuv's pool instead.
      return new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))))
    }
    return new Promise((resolve, reject) => {
      const done = (outcome: { key?: Uint8Array; error?: string }) => {
        worker.off('exit', died)
        worker.unref()
        this.idle.push(worker)
        if (outcome.key) resolve(Buffer.from(outcome.key.buffer, outcome.key.byteOffset, outcome.key.byteLength))
        else reject(new Error(outcome.error ?? 'password hashing failed'))
      }
      const died = (code: number) => {
        worker.off('message', done)
        reject(new Error(`the password hashing thread stopped (exit code ${code})`))
      }
      worker.once('message', done)
      worker.once('exit', died)
      worker.ref()
      worker.postMessage({ password, salt, keyLength, options })
    })
  }

  private start(): Worker {
    const worker = new Worker(HASHER_SOURCE, { eval: true })
    worker.unref()
    // A thread that fails is dropped; the next hash starts a new one.
    worker.on('error', () => {})
    worker.on('exit', () => {
      const index = this.idle.indexOf(worker)
      if (index >= 0) this.idle.splice(index, 1)
    })
    return worker
  }
}

const hashers = new Hashers()

/**
 * Hashes a password with scrypt on a hashing thread below normal priority
 * (never on the event loop; at most PASSWORD_HASH_CONCURRENCY at once, the
 * rest wait in order). The result carries its own parameters and salt.
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

import { availableParallelism } from 'node:os'
/**
 * Password hashing (scrypt) is bounded: at most PASSWORD_HASH_CONCURRENCY at
 * once, the rest wait in order, so a burst of sign-ins cannot take every core
 * nor queue a token check behind all of its hashes. (Hashes run on threads
 * of their own and tokens are verified on the calling thread:
 * tests/unit/hashing-load.test.ts.)
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { hashPassword, PASSWORD_HASH_CONCURRENCY } from '../../modules/guard/runtime/core/crypto/password'
import { Semaphore } from '../../modules/guard/runtime/core/crypto/semaphore'
import type { SigningKeySet } from '../../modules/guard/runtime/core/tokens/key-set'
import { mint, twoSigningKeys, verifier } from '../support/key-set'

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once, in arrival order, and frees a slot when a task throws', async () => {
    const semaphore = new Semaphore(2)
    const started: number[] = []
    let peak = 0
    const releases: (() => void)[] = []
    const tasks = [0, 1, 2, 3, 4].map(i => semaphore.run(async () => {
      started.push(i)
      peak = Math.max(peak, semaphore.running)
      await new Promise<void>(resolve => releases.push(resolve))
      if (i === 1) throw new Error('task 1 fails')
      return i
    }))
    const settled = Promise.allSettled(tasks)
    await new Promise(resolve => setImmediate(resolve))
    expect(started).toEqual([0, 1])
    expect(semaphore.queued).toBe(3)
    while (releases.length) {
      releases.shift()!()
      await new Promise(resolve => setImmediate(resolve))
    }
    const outcomes = await settled
    expect(outcomes.map(o => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'])
    expect(started).toEqual([0, 1, 2, 3, 4])
    expect(peak).toBe(2)
    expect(semaphore.running).toBe(0)
  })

  it('a limit below 1 still lets one task run', async () => {
    expect(new Semaphore(0).limit).toBe(1)
    expect(await new Semaphore(-3).run(async () => 'ran')).toBe('ran')
  })
})

describe('password hashing leaves the thread pool to token verification', () => {
  let keySet: SigningKeySet
  let verify: ReturnType<typeof verifier>

  beforeAll(async () => {
    ({ keySet } = await twoSigningKeys(randomBytes(32)))
    verify = verifier(() => keySet)
    await verify(await mint(keySet.keys[0]!)) // warm up WebCrypto
  })

  it(`leaves threads and a core free: at most ${PASSWORD_HASH_CONCURRENCY} scrypt runs at once on a ${Number(process.env.UV_THREADPOOL_SIZE) || 4}-thread pool and ${availableParallelism()} cores`, () => {
    expect(PASSWORD_HASH_CONCURRENCY).toBe(Math.max(1, Math.min((Number(process.env.UV_THREADPOOL_SIZE) || 4) - 2, availableParallelism() - 1)))
  })

  it('a token verified while 20 passwords hash finishes long before the hashes do', async () => {
    const token = await mint(keySet.keys[0]!)
    const idleStart = performance.now()
    await verify(token)
    const idleMs = performance.now() - idleStart

    const started = performance.now()
    const hashes = Promise.all(Array.from({ length: 20 }, (_, i) => hashPassword(`password-${i}`)))
    await new Promise(resolve => setImmediate(resolve)) // every scrypt run is queued first
    await verify(token)
    const verifyMs = performance.now() - started
    await hashes
    const hashesMs = performance.now() - started

    console.info(`[password-pool] idle verify ${idleMs.toFixed(1)} ms; during 20 hashes: verify ${verifyMs.toFixed(1)} ms, hashes ${hashesMs.toFixed(0)} ms (ratio ${(verifyMs / hashesMs).toFixed(3)})`)
    // Queued behind every hash it would finish with the last of them (ratio ≈ 1).
    expect(verifyMs / hashesMs).toBeLessThan(0.1)
  }, 60_000)
})

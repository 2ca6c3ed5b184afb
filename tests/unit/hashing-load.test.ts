/**
 * What a request with a new token waits for while passwords hash (bench:
 * "new-token request latency during 20 concurrent sign-ins"):
 * - token verification runs on the calling thread: it needs no libuv
 *   thread-pool thread, so it finishes while every pool thread is busy;
 * - passwords hash on their own thread below normal priority (Linux), not on
 *   the thread pool;
 * - the embedded database (PGlite, WebAssembly on the event loop) starts each
 *   statement in a macrotask of its own, so the loop turns between any two
 *   statements of concurrent requests instead of running them back to back.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../modules/guard/runtime/core/crypto/password'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { StatementTurns } from '../../modules/guard/runtime/core/store/db/pglite'
import type { SigningKeySet } from '../../modules/guard/runtime/core/tokens/key-set'
import { mint, twoSigningKeys, verifier } from '../support/key-set'

const POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4

/**
 * Occupies every libuv pool thread without using any CPU: each reads a named
 * pipe nobody writes to yet (a blocking read on a pool thread). `release()`
 * opens the writers, so the reads end and the pool is free again.
 */
async function occupyThreadPool(): Promise<{ done: () => boolean; release: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'guard-pool-'))
  const fifos = Array.from({ length: POOL_SIZE }, (_, i) => join(dir, `fifo-${i}`))
  for (const fifo of fifos) execFileSync('mkfifo', [fifo])
  let first = false
  const reads = fifos.map(fifo => readFile(fifo).then(() => { first = true }))
  await new Promise(resolve => setTimeout(resolve, 50)) // every read has taken its thread
  return {
    done: () => first,
    release: async () => {
      for (const fifo of fifos) writeFileSync(fifo, 'x') // opens the write end: the blocked read returns
      await Promise.all(reads)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

describe.runIf(process.platform !== 'win32')('neither token verification nor password hashing waits for the thread pool', () => {
  let keySet: SigningKeySet
  let verify: ReturnType<typeof verifier>

  beforeAll(async () => {
    ({ keySet } = await twoSigningKeys(randomBytes(32)))
    verify = verifier(() => keySet)
  })

  it('a new token is verified while every pool thread is busy', async () => {
    const token = await mint(keySet.keys[0]!)
    const pool = await occupyThreadPool()
    try {
      const claims = await verify(token)
      expect(claims.sub).toBe('user_1')
      expect(pool.done(), 'the pool was still occupied').toBe(false)
    }
    finally { await pool.release() }
  })

  it('a password is hashed and checked while every pool thread is busy', async () => {
    const stored = await hashPassword('warm up the hashing thread')
    const pool = await occupyThreadPool()
    try {
      expect(await verifyPassword('warm up the hashing thread', stored)).toBe(true)
      expect(await verifyPassword('a wrong password', stored)).toBe(false)
      expect(pool.done(), 'the pool was still occupied').toBe(false)
    }
    finally { await pool.release() }
  })

  it.runIf(process.platform === 'linux')('on Linux the hashing thread runs below normal priority, and only it', async () => {
    await hashPassword('correct horse battery staple')
    const nice = readdirSync('/proc/self/task').map(tid => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]))
    expect(nice.filter(value => value > 0).length).toBeGreaterThanOrEqual(1)
    expect(Number(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16])).toBe(0)
  })
})

describe('PGlite statements take turns with the event loop', () => {
  let db: GuardDatabase

  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' })
    await db.query('create table turns (value int)')
  })
  afterAll(() => db?.close())

  it('the event loop turns between any two of 20 concurrent statements', async () => {
    let turnsOfTheLoop = 0
    let ticking = true
    const tick = () => {
      turnsOfTheLoop++
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    const seen: number[] = []
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.query('insert into turns values ($1)', [i]).then(() => seen.push(turnsOfTheLoop))))
    ticking = false
    // Each statement finished in a later turn of the loop than the one before it.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!)
    expect((await db.query<{ n: number }>('select count(*)::int as n from turns'))[0]!.n).toBe(20)
  })

  it('a transaction keeps its statements together and still commits or rolls back', async () => {
    const outside = db.query<{ n: number }>('select count(*)::int as n from turns where value >= 100')
    await db.transaction(async (tx) => {
      await tx.query('insert into turns values (100)')
      await tx.query('insert into turns values (101)')
    })
    await expect(db.transaction(async (tx) => {
      await tx.query('insert into turns values (102)')
      throw new Error('roll back')
    })).rejects.toThrow('roll back')
    expect((await outside)[0]!.n).toBe(0)
    expect((await db.query<{ n: number }>('select count(*)::int as n from turns where value >= 100'))[0]!.n).toBe(2)
  })

  it('StatementTurns: one statement at a time, first come first served, each after a turn of the loop', async () => {
    const turns = new StatementTurns()
    const log: string[] = []
    const statement = (name: string) => async () => {
      log.push(`${name} starts`)
      setImmediate(() => log.push(`after ${name}`))
      await Promise.resolve()
      log.push(`${name} ends`)
      return name
    }
    expect(await Promise.all(['a', 'b', 'c'].map(name => turns.run(statement(name))))).toEqual(['a', 'b', 'c'])
    expect(log).toEqual(['a starts', 'a ends', 'after a', 'b starts', 'b ends', 'after b', 'c starts', 'c ends'])
    await expect(turns.run(async () => { throw new Error('fails') })).rejects.toThrow('fails')
    expect(await turns.run(async () => 'next one runs')).toBe('next one runs')
  })
})

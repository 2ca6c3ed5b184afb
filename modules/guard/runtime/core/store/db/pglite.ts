import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import type { GuardDatabase } from './database'
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock'

/**
 * Opens (creating when needed) an embedded PostgreSQL in `dataDir`, which
 * one process at a time may hold (`<dataDir>/nuxt-guard.lock`; throws
 * DataDirLockedError naming the holder otherwise). `memory://` needs no lock.
 *
 * @example
 * const db = await openPglite('.data/guard/db')
 */
export async function openPglite(dataDir: string): Promise<GuardDatabase> {
  let lock: DataDirLock | undefined
  if (!dataDir.startsWith('memory://')) {
    await mkdir(dataDir, { recursive: true })
    lock = await acquireDataDirLock(dataDir)
  }
  const pg = await PGlite.create(dataDir).catch(async (error) => {
    await lock?.release()
    throw error
  })
  const openedAtMs = Date.now()
  const turns = new StatementTurns()
  return {
    kind: 'pglite',
    query(sql, params) {
      return turns.run(async () => (await pg.query<any>(sql, params)).rows)
    },
    transaction(work) {
      return turns.run(() => pg.transaction(tx => work({
        query: async (sql, params) => {
          await turns.yield()
          return (await tx.query<any>(sql, params)).rows
        },
      })))
    },
    async listen(channel, onPayload) {
      const unsubscribe = await pg.listen(channel, onPayload)
      return async () => { await unsubscribe() }
    },
    listenerStatus: () => ({ state: 'connected', sinceMs: openedAtMs, attempts: 0 }),
    onListenerRestored: () => () => {},
    async notify(channel, payload) {
      await turns.run(() => pg.query('select pg_notify($1, $2)', [channel, payload]))
    },
    async close() {
      try { await pg.close() }
      finally { await lock?.release() }
    },
  }
}

/**
 * One statement at a time, each in a macrotask of its own. PGlite runs a
 * statement synchronously on the event loop (PostgreSQL compiled to
 * WebAssembly) and hands its lock to the next waiting query in a microtask,
 * so the statements of many concurrent requests (twenty sign-ins: seven each)
 * would run back to back, milliseconds on end, without the loop reading a
 * socket or a finished thread-pool job. Starting each statement from
 * `setImmediate` lets the loop serve whatever is ready between any two: a
 * request waits for at most one statement, never for a queue of them.
 *
 * @example
 * const turns = new StatementTurns()
 * const rows = await turns.run(() => pg.query(sql, params))
 */
export class StatementTurns {
  private busy = false
  private readonly waiting: (() => void)[] = []

  /** Runs `statement` once every earlier one has finished, from a fresh macrotask. */
  async run<T>(statement: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve)
      if (!this.busy) this.next()
    })
    try {
      return await statement()
    }
    finally {
      this.busy = false
      if (this.waiting.length) this.next()
    }
  }

  /** Lets the event loop turn once (between the statements of a transaction, which holds the turn). */
  yield(): Promise<void> {
    return new Promise(resolve => setImmediate(resolve))
  }

  private next(): void {
    this.busy = true
    setImmediate(this.waiting.shift()!)
  }
}

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
  return {
    kind: 'pglite',
    async query(sql, params) {
      return (await pg.query<any>(sql, params)).rows
    },
    transaction(work) {
      return pg.transaction(tx => work({ query: async (sql, params) => (await tx.query<any>(sql, params)).rows }))
    },
    async listen(channel, onPayload) {
      const unsubscribe = await pg.listen(channel, onPayload)
      return async () => { await unsubscribe() }
    },
    listenerStatus: () => ({ state: 'connected', sinceMs: openedAtMs, attempts: 0 }),
    onListenerRestored: () => () => {},
    async notify(channel, payload) {
      await pg.query('select pg_notify($1, $2)', [channel, payload])
    },
    async close() {
      try { await pg.close() }
      finally { await lock?.release() }
    },
  }
}

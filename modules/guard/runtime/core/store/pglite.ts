import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import type { GuardDatabase } from './database'

/**
 * Opens (creating when needed) an embedded PostgreSQL in `dataDir`.
 *
 * @example
 * const db = await openPglite('.data/guard/db')
 */
export async function openPglite(dataDir: string): Promise<GuardDatabase> {
  if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true })
  const pg = await PGlite.create(dataDir)
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
    close: () => pg.close(),
  }
}

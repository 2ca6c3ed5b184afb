import pg from 'pg'
import type { GuardDatabase } from './database'
import { PostgresListener } from './postgres-listener'

/**
 * Connects to a PostgreSQL server through a pool; LISTEN gets its own
 * client, which reconnects by itself (see PostgresListener). `notify`
 * resolves once every instance's listener has applied the notification
 * (bounded; see notify-receipts.ts).
 *
 * @example
 * const db = await openPostgres(process.env.DATABASE_URL!)
 */
export async function openPostgres(url: string): Promise<GuardDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 })
  pool.on('error', () => { /* an idle client died; the pool replaces it on next use */ })
  await pool.query('select 1')
  const listener = new PostgresListener({ connectionString: url })
  return {
    kind: 'postgres',
    async query(sql, params) {
      return (await pool.query(sql, params as unknown[])).rows
    },
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await work({ query: async (sql, params) => (await client.query(sql, params as unknown[])).rows })
        await client.query('commit')
        return result
      }
      catch (error) {
        await client.query('rollback').catch(() => {})
        throw error
      }
      finally {
        client.release()
      }
    },
    listen: (channel, onPayload) => listener.subscribe(channel, onPayload),
    listenerStatus: () => listener.status(),
    onListenerRestored: callback => listener.onRestored(callback),
    notify: (channel, payload) => listener.publish(pool, channel, payload),
    async close() {
      await listener.close()
      await pool.end()
    },
  }
}

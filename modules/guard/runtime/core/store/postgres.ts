import pg from 'pg'
import type { GuardDatabase } from './database'

/**
 * Connects to a PostgreSQL server through a pool; LISTEN gets its own client.
 *
 * @example
 * const db = await openPostgres(process.env.DATABASE_URL!)
 */
export async function openPostgres(url: string): Promise<GuardDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 })
  pool.on('error', () => { /* an idle client died; the pool replaces it on next use */ })
  await pool.query('select 1')
  const listeners: pg.Client[] = []
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
    async listen(channel, onPayload) {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      client.on('notification', message => message.channel === channel && onPayload(message.payload ?? ''))
      client.on('error', () => {})
      await client.query(`listen "${channel.replace(/"/g, '""')}"`)
      listeners.push(client)
      return async () => {
        const index = listeners.indexOf(client)
        if (index === -1) return // already ended by close()
        listeners.splice(index, 1)
        await client.end()
      }
    },
    async notify(channel, payload) {
      await pool.query('select pg_notify($1, $2)', [channel, payload])
    },
    async close() {
      await Promise.all(listeners.splice(0).map(client => client.end()))
      await pool.end()
    },
  }
}

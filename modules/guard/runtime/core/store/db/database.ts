import type { ListenerStatus } from './listener-status'
import { loadOptionalPeer } from '../../optional-peer'

export type { ListenerStatus }

/** Runs SQL; rows come back as plain objects. */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>
}

/**
 * The one storage interface nuxt-guard uses: PostgreSQL, embedded (PGlite)
 * or real (pg). Same SQL, same migrations.
 */
export interface GuardDatabase extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres'
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>
  /** Subscribes to NOTIFY on a channel; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  /** Health of the LISTEN connection; PGlite (in process) is always `connected`. */
  listenerStatus(): ListenerStatus
  /**
   * Calls `callback` each time the LISTEN connection is back after a loss:
   * notifications sent meanwhile are gone, so re-read what they would have
   * said. Never called for PGlite. Returns an unsubscribe function.
   */
  onListenerRestored(callback: () => Promise<void> | void): () => void
  /**
   * NOTIFYs every instance; resolves once each one listening has applied it
   * (PostgreSQL: at most RECEIPT_TIMEOUT_MS, 2 s, later; PGlite: in process).
   */
  notify(channel: string, payload: string): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** `postgres://…` for a real server; empty for the embedded database. */
  url?: string
  /** Embedded database directory, or `memory://` for a throwaway one. */
  dataDir: string
}

/**
 * Opens the configured database: pg when a URL is given, PGlite otherwise.
 * Each driver is loaded only when used; `pg` is an optional peer dependency
 * (a clear error names `npm i pg` when it is missing).
 *
 * @example
 * const db = await openDatabase({ dataDir: '.data/guard/db' })
 * const rows = await db.query('select 1 as one')
 */
export async function openDatabase(options: DatabaseOptions): Promise<GuardDatabase> {
  if (options.url) {
    const { openPostgres } = await loadOptionalPeer('pg', 'A PostgreSQL database (NUXT_GUARD_DATABASE_URL or DATABASE_URL)', () => import('./postgres'))
    return openPostgres(options.url)
  }
  const { openPglite } = await import('./pglite')
  return openPglite(options.dataDir)
}

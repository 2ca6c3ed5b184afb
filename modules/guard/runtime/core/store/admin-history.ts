import type { SqlExecutor } from './db/database'

/** One saved config version as the history list shows it (no document). */
export interface ConfigHistoryEntry {
  version: number
  createdAt: Date
  createdBy: string | null
  /** The saving user's email; null for the seed or a deleted user. */
  createdByEmail: string | null
  note: string | null
}

/**
 * Saved config versions, newest first, with who saved each; `before` pages
 * back (versions strictly older than it).
 *
 * @example
 * const page = await listConfigHistory(db, { limit: 50 })
 * const older = await listConfigHistory(db, { limit: 50, before: page.at(-1)!.version })
 */
export async function listConfigHistory(db: SqlExecutor, { limit, before }: { limit: number; before?: number }): Promise<ConfigHistoryEntry[]> {
  const rows = await db.query<{ version: number; created_at: string | Date; created_by: string | null; email: string | null; note: string | null }>(
    `select v.version, v.created_at, v.created_by, u.email, v.note
       from guard_config_versions v left join guard_users u on u.id = v.created_by
      where ($2::int is null or v.version < $2::int)
      order by v.version desc
      limit $1`,
    [limit, before ?? null],
  )
  return rows.map(row => ({ version: row.version, createdAt: new Date(row.created_at), createdBy: row.created_by, createdByEmail: row.email, note: row.note }))
}

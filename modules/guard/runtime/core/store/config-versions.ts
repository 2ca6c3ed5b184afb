import { GuardError } from '../errors'
import type { SqlExecutor } from './db/database'

export interface ConfigVersionRecord {
  version: number
  document: unknown
  createdAt: Date
  createdBy: string | null
  note: string | null
}

/** A version just appended (`saved`) and the one it replaced (`previous`, none for the first). */
export interface AppendedConfigVersion { saved: ConfigVersionRecord; previous: ConfigVersionRecord | undefined }

/**
 * The save named a version that is no longer the latest; `latest` is that
 * version (read under the save's lock). 409 `stale_version` with
 * `currentVersion` and `current` (its document), so the editor can rebase.
 */
export class StaleConfigVersionError extends GuardError {
  constructor(readonly expected: number, readonly current: number, readonly latest?: ConfigVersionRecord) {
    super('stale_version', `Someone saved version ${latest?.version} after you loaded version ${expected}. Reload it, or re-apply your changes on top of it.`, {
      currentVersion: latest?.version ?? null,
      current: latest?.document ?? null,
    })
  }
}

const COLUMNS = 'version, document, created_at, created_by, note'
const toRecord = (row: any): ConfigVersionRecord => ({
  version: row.version, document: row.document, createdAt: new Date(row.created_at), createdBy: row.created_by, note: row.note,
})

/**
 * The newest saved config version, if any.
 *
 * @example
 * const latest = await latestConfigVersion(db)
 */
export async function latestConfigVersion(db: SqlExecutor): Promise<ConfigVersionRecord | undefined> {
  const [row] = await db.query(`select ${COLUMNS} from guard_config_versions order by version desc limit 1`)
  return row && toRecord(row)
}

/**
 * Appends a config version; call it inside `db.transaction` (it takes the
 * transaction's config lock, so saves are serialised). `expectedVersion` is
 * the version the editor started from (0 for the first save); any other
 * latest version throws `StaleConfigVersionError` (with that version), so two
 * concurrent edits cannot both land. Returns the stored row and the one it
 * replaces, read under the lock: no second read is needed.
 *
 * @example
 * const { saved, previous } = await db.transaction(tx => appendConfigVersion(tx, { document, expectedVersion: 6, createdBy: userId }))
 */
export async function appendConfigVersion(tx: SqlExecutor, input: {
  document: unknown; expectedVersion: number; createdBy?: string | null; note?: string | null
}): Promise<AppendedConfigVersion> {
  await tx.query('select pg_advisory_xact_lock(727274003)')
  const previous = await latestConfigVersion(tx)
  const current = previous?.version ?? 0
  if (current !== input.expectedVersion) throw new StaleConfigVersionError(input.expectedVersion, current, previous)
  const [row] = await tx.query(
    `insert into guard_config_versions (version, document, created_by, note) values ($1, $2::jsonb, $3, $4) returning ${COLUMNS}`,
    [current + 1, JSON.stringify(input.document), input.createdBy ?? null, input.note ?? null],
  )
  return { saved: toRecord(row), previous }
}

/**
 * Saved versions, newest first.
 *
 * @example
 * const history = await listConfigVersions(db, { limit: 50 })
 */
export async function listConfigVersions(db: SqlExecutor, { limit = 100 } = {}): Promise<ConfigVersionRecord[]> {
  return (await db.query(`select ${COLUMNS} from guard_config_versions order by version desc limit $1`, [limit])).map(toRecord)
}

/**
 * One saved version.
 *
 * @example
 * const v3 = await findConfigVersion(db, 3)
 */
export async function findConfigVersion(db: SqlExecutor, version: number): Promise<ConfigVersionRecord | undefined> {
  const [row] = await db.query(`select ${COLUMNS} from guard_config_versions where version = $1`, [version])
  return row && toRecord(row)
}

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

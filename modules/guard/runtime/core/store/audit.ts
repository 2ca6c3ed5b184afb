import type { SqlExecutor } from './db/database'

/** One audit entry to write: who did what to which target, with the state before and after. */
export interface NewAuditEntry {
  actorId: string | null
  action: string
  target?: string | null
  before?: unknown
  after?: unknown
  ip?: string | null
}

/**
 * Appends one entry to the audit log: who did what to what, before and after.
 *
 * @example
 * await writeAudit(db, { actorId: auth.userId, action: 'user.sign_up', target: user.id })
 */
export async function writeAudit(db: SqlExecutor, entry: NewAuditEntry): Promise<void> {
  await db.query(
    'insert into guard_audit (actor_id, action, target, before, after, ip) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6)',
    [entry.actorId, entry.action, entry.target ?? null, entry.before === undefined ? null : JSON.stringify(entry.before), entry.after === undefined ? null : JSON.stringify(entry.after), entry.ip ?? null],
  )
}

/** One audit entry as the console lists it. */
export interface AuditRecord {
  id: number
  at: Date
  actorId: string | null
  /** The actor's email; null for the system or a deleted user. */
  actorEmail: string | null
  action: string
  target: string | null
  before: unknown
  after: unknown
  ip: string | null
}

/**
 * Audit entries, newest first; `before` (an entry id) pages back. `nextBefore`
 * is the id to pass for the next page, or null on the last page.
 *
 * @example
 * const { entries, nextBefore } = await listAudit(db, { limit: 50 })
 * const older = nextBefore === null ? undefined : await listAudit(db, { limit: 50, before: nextBefore })
 */
export async function listAudit(db: SqlExecutor, { limit, before }: { limit: number; before?: number }): Promise<{ entries: AuditRecord[]; nextBefore: number | null }> {
  const rows = await db.query<any>(
    `select a.id::float8 as id, a.at, a.actor_id, u.email as actor_email, a.action, a.target, a.before, a.after, a.ip
       from guard_audit a left join guard_users u on u.id = a.actor_id
      where ($2::bigint is null or a.id < $2::bigint)
      order by a.id desc
      limit $1`,
    [limit, before ?? null],
  )
  const entries: AuditRecord[] = rows.map(row => ({
    id: Number(row.id), at: new Date(row.at), actorId: row.actor_id, actorEmail: row.actor_email,
    action: row.action, target: row.target, before: row.before, after: row.after, ip: row.ip,
  }))
  return { entries, nextBefore: entries.length === limit ? entries[entries.length - 1]!.id : null }
}

/** An address is matched whole: not inside a longer one (`ada@x.io` never matches in `bada@x.io` or `ada@x.io.uk`). */
const WHOLE_ADDRESS = (escaped: string) => `(?<![A-Za-z0-9_%+.-])${escaped}(?![A-Za-z0-9_%+-]|\\.[A-Za-z0-9])`

/**
 * Replaces an email address with `placeholder` wherever the audit log
 * mentions it: inside `before` and `after` (as a whole address, in any
 * case) and a `target` that is the address. Ids, actions, times and client
 * addresses stay: the log keeps what happened and who (by id) did it.
 * Returns how many entries changed. The placeholder must need no escaping
 * inside a JSON string.
 *
 * @example
 * await anonymiseAuditEmail(tx, 'ada@example.com', '[deleted user]')
 */
export async function anonymiseAuditEmail(db: SqlExecutor, email: string, placeholder: string): Promise<number> {
  const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const pattern = WHOLE_ADDRESS(escaped)
  const contains = `%${email.replace(/[\\%_]/g, match => `\\${match}`)}%`
  const rows = await db.query(
    `update guard_audit set
       before = case when before is null then null else regexp_replace(before::text, $1, $2, 'gi')::jsonb end,
       after = case when after is null then null else regexp_replace(after::text, $1, $2, 'gi')::jsonb end,
       target = case when lower(target) = lower($4) then $2 else target end
     where before::text ilike $3 or after::text ilike $3 or lower(target) = lower($4)
     returning 1`,
    [pattern, placeholder, contains, email],
  )
  return rows.length
}

import type { SqlExecutor } from './database'

export interface AuditEntry {
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
export async function writeAudit(db: SqlExecutor, entry: AuditEntry): Promise<void> {
  await db.query(
    'insert into guard_audit (actor_id, action, target, before, after, ip) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6)',
    [entry.actorId, entry.action, entry.target ?? null, entry.before === undefined ? null : JSON.stringify(entry.before), entry.after === undefined ? null : JSON.stringify(entry.after), entry.ip ?? null],
  )
}

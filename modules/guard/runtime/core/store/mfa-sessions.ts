import type { SqlExecutor } from './db/database'
import type { SessionRecord } from './sessions'

export interface AccountSession { id: string; createdAt: Date; lastActiveAt: Date; expiresAt: Date; ip: string | null; userAgent: string | null }

/**
 * Records that a live session completed a second factor at `atSeconds` and
 * returns the session, or `undefined` when it is revoked or expired.
 *
 * @example
 * const session = await recordSessionFactor(db, sessionId, 'totp', nowSeconds, new Date())
 */
export async function recordSessionFactor(db: SqlExecutor, sessionId: string, factor: string, atSeconds: number, now: Date): Promise<SessionRecord | undefined> {
  const [row] = await db.query<any>(
    `update guard_sessions set factors = factors || jsonb_build_object($2::text, $3::bigint), last_active_at = $4
      where id = $1 and revoked_at is null and expires_at > $4
      returning id, user_id, created_at, expires_at, factors`,
    [sessionId, factor, atSeconds, now.toISOString()],
  )
  return row && { id: row.id, userId: row.user_id, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at), factors: row.factors ?? {} }
}

/**
 * A live session by id, with its completed factors.
 *
 * @example
 * const session = await findLiveSession(db, auth.sessionId, new Date())
 */
export async function findLiveSession(db: SqlExecutor, sessionId: string, now: Date): Promise<SessionRecord | undefined> {
  const [row] = await db.query<any>(
    'select id, user_id, created_at, expires_at, factors from guard_sessions where id = $1 and revoked_at is null and expires_at > $2',
    [sessionId, now.toISOString()],
  )
  return row && { id: row.id, userId: row.user_id, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at), factors: row.factors ?? {} }
}

/**
 * A user's live sessions, most recently active first.
 *
 * @example
 * const sessions = await listUserSessions(db, userId, new Date())
 */
export async function listUserSessions(db: SqlExecutor, userId: string, now: Date): Promise<AccountSession[]> {
  const rows = await db.query<any>(
    `select id, created_at, last_active_at, expires_at, ip, user_agent from guard_sessions
      where user_id = $1 and revoked_at is null and expires_at > $2 order by last_active_at desc, id`,
    [userId, now.toISOString()],
  )
  return rows.map(row => ({
    id: row.id, createdAt: new Date(row.created_at), lastActiveAt: new Date(row.last_active_at), expiresAt: new Date(row.expires_at), ip: row.ip, userAgent: row.user_agent,
  }))
}

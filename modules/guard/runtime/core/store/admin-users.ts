import type { GuardDatabase, SqlExecutor } from './db/database'
import { toUserRecord, type UserRecord } from './users'

/** One row of the console's user list. */
export interface AdminUserSummary {
  id: string
  email: string
  roles: string[]
  createdAt: Date
  /** Sessions neither revoked nor expired. */
  activeSessions: number
}

/**
 * The change would leave no user with the admin role.
 *
 * @example
 * await setUserRoles(db, lastAdminId, ['member']).catch(error => { if (error instanceof LastAdminError) refuse() })
 */
export class LastAdminError extends Error {
  constructor() { super('this is the last admin: give another user the admin role first') }
}

const ADMIN_ROLE = 'admin'
/** Same lock as createUser's first-user decision: role changes and sign-ups never interleave. */
const USERS_LOCK = 727274002

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, match => `\\${match}`)

/**
 * A page of users, oldest first, optionally only those whose email contains
 * `q` (case-insensitive), with the number of matches and each user's live
 * session count.
 *
 * @example
 * const { users, total } = await listUsers(db, { q: 'acme', limit: 50, offset: 0, now: new Date() })
 */
export async function listUsers(db: SqlExecutor, { q = '', limit, offset, now }: { q?: string; limit: number; offset: number; now: Date }): Promise<{ users: AdminUserSummary[]; total: number }> {
  const pattern = `%${likeEscape(q.toLowerCase())}%`
  const rows = await db.query<{ id: string; email: string; roles: string[]; created_at: string | Date; active_sessions: number }>(
    `select u.id, u.email, u.roles, u.created_at,
            (select count(*)::int from guard_sessions s where s.user_id = u.id and s.revoked_at is null and s.expires_at > $4) as active_sessions
       from guard_users u
      where lower(u.email) like $1
      order by u.created_at, u.id
      limit $2 offset $3`,
    [pattern, limit, offset, now.toISOString()],
  )
  const [count] = await db.query<{ total: number }>('select count(*)::int as total from guard_users where lower(email) like $1', [pattern])
  return {
    users: rows.map(row => ({ id: row.id, email: row.email, roles: row.roles, createdAt: new Date(row.created_at), activeSessions: row.active_sessions })),
    total: count?.total ?? 0,
  }
}

/**
 * Replaces a user's roles; `undefined` when there is no such user. Refuses
 * (LastAdminError) to take the admin role from the last admin.
 *
 * @example
 * const updated = await setUserRoles(db, userId, ['member', 'billing'])
 */
export function setUserRoles(db: GuardDatabase, userId: string, roles: string[]): Promise<UserRecord | undefined> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [USERS_LOCK])
    const [current] = await tx.query<{ roles: string[] }>('select roles from guard_users where id = $1', [userId])
    if (!current) return undefined
    if (current.roles.includes(ADMIN_ROLE) && !roles.includes(ADMIN_ROLE)) {
      const [others] = await tx.query<{ n: number }>(`select count(*)::int as n from guard_users where id <> $1 and roles @> $2::jsonb`, [userId, JSON.stringify([ADMIN_ROLE])])
      if (!others?.n) throw new LastAdminError()
    }
    const [row] = await tx.query<any>(
      `update guard_users set roles = $2::jsonb, updated_at = now(), claims_epoch = claims_epoch + 1, claims_changed_at = now() where id = $1
       returning id, email, email_verified, password_hash, roles, public_metadata, created_at, claims_epoch`,
      [userId, JSON.stringify(roles)],
    )
    return toUserRecord(row)
  })
}

/**
 * Replaces a user's public metadata (what `{{user.public_metadata.*}}` reads);
 * `undefined` when there is no such user.
 *
 * @example
 * const updated = await setPublicMetadata(db, userId, { plan: 'pro' })
 */
export async function setPublicMetadata(db: SqlExecutor, userId: string, metadata: Record<string, unknown>): Promise<UserRecord | undefined> {
  const [row] = await db.query<any>(
    `update guard_users set public_metadata = $2::jsonb, updated_at = now(), claims_epoch = claims_epoch + 1, claims_changed_at = now() where id = $1
     returning id, email, email_verified, password_hash, roles, public_metadata, created_at, claims_epoch`,
    [userId, JSON.stringify(metadata)],
  )
  return row && toUserRecord(row)
}

/**
 * Ids of a user's live (not revoked, not expired) sessions.
 *
 * @example
 * for (const id of await listActiveSessionIds(db, userId, new Date())) await guard.revokeSession(id)
 */
export async function listActiveSessionIds(db: SqlExecutor, userId: string, now: Date): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    'select id from guard_sessions where user_id = $1 and revoked_at is null and expires_at > $2 order by created_at',
    [userId, now.toISOString()],
  )
  return rows.map(row => row.id)
}

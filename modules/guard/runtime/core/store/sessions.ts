import type { SqlExecutor } from './db/database'
import { toUserRecord, type UserRecord } from './users'

export interface SessionRecord {
  id: string
  userId: string
  createdAt: Date
  expiresAt: Date
  factors: Record<string, number>
  /**
   * The session's active organization with the user's role in it, read with
   * the session in the same statement (for the token minted from it);
   * null when it has none or its user is no longer a member. Absent on a
   * record not read from the table (a session just started has none).
   */
  activeOrg?: SessionActiveOrg | null
  /** The origin the session's tokens are issued to (their `azp`), fixed when it started; null when none was recorded. */
  party?: string | null
}

/** A session's active organization as the mint needs it: Clerk's claims and the template's `org.*`. */
export interface SessionActiveOrg { id: string; slug: string; role: string; publicMetadata: Record<string, unknown> }

/**
 * The active organization of the session row `table` (the table's name or
 * alias in the statement), joined to the user's membership: one sub-select,
 * so the session and its organization come back in one statement.
 */
const activeOrgColumn = (table: string) =>
  `(select json_build_object('id', o.id, 'slug', o.slug, 'role', m.role, 'public_metadata', o.public_metadata)
      from guard_org_memberships m join guard_organizations o on o.id = m.org_id
     where m.org_id = ${table}.active_org_id and m.user_id = ${table}.user_id) as active_org`

/** One live session as the account page lists it. */
export interface AccountSession { id: string; createdAt: Date; lastActiveAt: Date; expiresAt: Date; ip: string | null; userAgent: string | null }

const SESSION_COLUMNS = `id, user_id, created_at, expires_at, factors, azp, ${activeOrgColumn('guard_sessions')}`
const toSessionRecord = (row: any): SessionRecord => ({
  id: row.id, userId: row.user_id, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at), factors: row.factors ?? {},
  activeOrg: toActiveOrg(row.active_org),
  party: row.azp ?? null,
})

function toActiveOrg(value: unknown): SessionActiveOrg | null {
  const org = (typeof value === 'string' ? JSON.parse(value) : value) as { id: string; slug: string; role: string; public_metadata: Record<string, unknown> | null } | null | undefined
  return org ? { id: org.id, slug: org.slug, role: org.role, publicMetadata: org.public_metadata ?? {} } : null
}

/**
 * Records a new server-side session; only the refresh token's hash is kept.
 *
 * @example
 * await insertSession(db, { id: newId('sess'), userId, refreshHash: sha256(refresh), createdAt, expiresAt, ip, userAgent, party: 'https://app.example.com' })
 */
export async function insertSession(db: SqlExecutor, input: {
  id: string; userId: string; refreshHash: string; createdAt: Date; expiresAt: Date; ip?: string; userAgent?: string; party?: string
}): Promise<void> {
  await db.query(
    `insert into guard_sessions (id, user_id, refresh_hash, created_at, last_active_at, expires_at, ip, user_agent, azp)
     values ($1, $2, $3, $4, $4, $5, $6, $7, $8)`,
    [input.id, input.userId, input.refreshHash, input.createdAt.toISOString(), input.expiresAt.toISOString(), input.ip ?? null, input.userAgent?.slice(0, 512) ?? null, input.party ?? null],
  )
}

/**
 * The live (not revoked, not expired) session holding this refresh token,
 * with its user; marks it active now.
 *
 * @example
 * const found = await refreshSession(db, sha256(cookie), new Date())
 * if (!found) signOut()
 */
export async function refreshSession(db: SqlExecutor, refreshHash: string, now: Date): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
  const [row] = await db.query<any>(
    `update guard_sessions s set last_active_at = $2
       from guard_users u
      where s.refresh_hash = $1 and s.user_id = u.id and s.revoked_at is null and s.expires_at > $2
      returning s.id as session_id, s.user_id, s.created_at as session_created_at, s.expires_at, s.factors, s.azp, ${activeOrgColumn('s')},
                u.id, u.email, u.email_verified, u.password_hash, u.roles, u.public_metadata, u.created_at, u.claims_epoch,
                u.disabled_at, u.disabled_reason, u.disabled_until`,
    [refreshHash, now.toISOString()],
  )
  if (!row) return undefined
  return {
    session: toSessionRecord({ ...row, id: row.session_id, created_at: row.session_created_at }),
    user: toUserRecord(row),
  }
}

/**
 * Revokes one session; returns whether it was live.
 *
 * @example
 * await revokeSession(db, auth.sessionId, new Date())
 */
export async function revokeSession(db: SqlExecutor, sessionId: string, now: Date): Promise<boolean> {
  const rows = await db.query('update guard_sessions set revoked_at = $2 where id = $1 and revoked_at is null returning id', [sessionId, now.toISOString()])
  return rows.length > 0
}

/**
 * Ids of sessions revoked after `since` (any instance's clock), for an
 * instance that missed their revocation notices while its LISTEN connection
 * was down. Unindexed scan: meant for that rare catch-up, not a hot path.
 *
 * @example
 * for (const id of await revokedSessionIdsSince(db, new Date(Date.now() - 3_660_000))) authenticator.revokeLocally(id)
 */
export async function revokedSessionIdsSince(db: SqlExecutor, since: Date): Promise<string[]> {
  const rows = await db.query<{ id: string }>('select id from guard_sessions where revoked_at > $1', [since.toISOString()])
  return rows.map(row => row.id)
}

/**
 * Gives a live session a new refresh secret (its hash): the old secret stops
 * refreshing at once, wherever it was copied to. Returns the session, or
 * `undefined` when it is revoked or expired.
 *
 * @example
 * const session = await rotateRefreshHash(db, sessionId, sha256(newSecret), new Date())
 */
export async function rotateRefreshHash(db: SqlExecutor, sessionId: string, refreshHash: string, now: Date): Promise<SessionRecord | undefined> {
  const [row] = await db.query<any>(
    `update guard_sessions set refresh_hash = $2, last_active_at = $3
      where id = $1 and revoked_at is null and expires_at > $3
      returning ${SESSION_COLUMNS}`,
    [sessionId, refreshHash, now.toISOString()],
  )
  return row && toSessionRecord(row)
}

/**
 * Voids the refresh secret of every live session of a user (but `exceptSessionId`):
 * each hash becomes a value no secret hashes to (`void:` + a random nonce),
 * so those sessions can never refresh again; their current tokens run out.
 * Returns the ids of the sessions it voided.
 *
 * @example
 * await voidUserRefreshSecrets(db, userId, randomToken(), new Date(), auth.sessionId)
 */
export async function voidUserRefreshSecrets(db: SqlExecutor, userId: string, nonce: string, now: Date, exceptSessionId?: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `update guard_sessions set refresh_hash = 'void:' || id || ':' || $3
      where user_id = $1 and revoked_at is null and expires_at > $2 and id <> coalesce($4, '')
      returning id`,
    [userId, now.toISOString(), nonce, exceptSessionId ?? null],
  )
  return rows.map(row => row.id)
}

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
      returning ${SESSION_COLUMNS}`,
    [sessionId, factor, atSeconds, now.toISOString()],
  )
  return row && toSessionRecord(row)
}

/**
 * A live session by id, with its completed factors.
 *
 * @example
 * const session = await findLiveSession(db, auth.sessionId, new Date())
 */
export async function findLiveSession(db: SqlExecutor, sessionId: string, now: Date): Promise<SessionRecord | undefined> {
  const [row] = await db.query<any>(
    `select ${SESSION_COLUMNS} from guard_sessions where id = $1 and revoked_at is null and expires_at > $2`,
    [sessionId, now.toISOString()],
  )
  return row && toSessionRecord(row)
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

/**
 * Sets the active organization of a live session of `userId` (null: none),
 * in one statement that also checks the user is a member of it at that
 * moment. `false` when the session is not the user's live one, or the user
 * is not a member.
 *
 * @example
 * if (!(await setSessionActiveOrg(db, sessionId, userId, orgId, new Date()))) throw notAMember()
 */
export async function setSessionActiveOrg(db: SqlExecutor, sessionId: string, userId: string, orgId: string | null, now: Date): Promise<boolean> {
  const rows = await db.query(
    `update guard_sessions s set active_org_id = $3
      where s.id = $1 and s.user_id = $2 and s.revoked_at is null and s.expires_at > $4
        and ($3::text is null or exists (select 1 from guard_org_memberships m where m.org_id = $3 and m.user_id = $2))
      returning s.id`,
    [sessionId, userId, orgId, now.toISOString()],
  )
  return rows.length > 0
}

/**
 * The active organization id of a session (null: none), or `undefined` when there is no such session.
 *
 * @example
 * const orgId = await sessionActiveOrgId(db, auth.sessionId)
 */
export async function sessionActiveOrgId(db: SqlExecutor, sessionId: string): Promise<string | null | undefined> {
  const [row] = await db.query<{ active_org_id: string | null }>('select active_org_id from guard_sessions where id = $1', [sessionId])
  return row ? row.active_org_id : undefined
}

/**
 * Clears an organization from the sessions that have it active: all of
 * them, or one user's (`userId`: a member removed or leaving). Returns the
 * ids of the users whose sessions changed.
 *
 * @example
 * await clearSessionsActiveOrg(db, orgId, removedUserId)
 */
export async function clearSessionsActiveOrg(db: SqlExecutor, orgId: string, userId?: string): Promise<string[]> {
  const rows = await db.query<{ user_id: string }>(
    'update guard_sessions set active_org_id = null where active_org_id = $1 and ($2::text is null or user_id = $2) returning user_id',
    [orgId, userId ?? null],
  )
  return [...new Set(rows.map(row => row.user_id))]
}

/**
 * The users with a live session that has this organization active: whose
 * tokens carry it (its slug, their role in it).
 *
 * @example
 * for (const userId of await usersWithActiveOrg(db, orgId, new Date())) await guard.claimsChanged(userId)
 */
export async function usersWithActiveOrg(db: SqlExecutor, orgId: string, now: Date): Promise<string[]> {
  const rows = await db.query<{ user_id: string }>(
    'select distinct user_id from guard_sessions where active_org_id = $1 and revoked_at is null and expires_at > $2',
    [orgId, now.toISOString()],
  )
  return rows.map(row => row.user_id)
}

/** A session as a step-up token's check sees it: whose it is, whether it is live, and its completed factors. */
export interface SessionState { id: string; userId: string; live: boolean; factors: Record<string, number> }

/**
 * The state of each of these sessions that exists, live or ended (one read).
 *
 * @example
 * const states = await sessionStates(db, [tokenSessionId, callerSessionId], new Date())
 */
export async function sessionStates(db: SqlExecutor, ids: readonly string[], now: Date): Promise<SessionState[]> {
  const rows = await db.query<any>(
    'select id, user_id, (revoked_at is null and expires_at > $2) as live, factors from guard_sessions where id = any($1::text[])',
    [[...ids], now.toISOString()],
  )
  return rows.map(row => ({ id: row.id, userId: row.user_id, live: row.live === true, factors: row.factors ?? {} }))
}

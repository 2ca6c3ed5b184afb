import { GuardError } from '../errors'
import { ADMIN_ROLE } from '../admin/console-access'
import type { SqlExecutor, GuardDatabase } from './db/database'

export interface UserRecord {
  id: string
  email: string
  emailVerified: boolean
  passwordHash: string
  roles: string[]
  publicMetadata: Record<string, unknown>
  createdAt: Date
  /**
   * Bumped whenever what the user's session tokens render from changes
   * (roles, public metadata, factors reset by an admin); a token minted at a
   * lower epoch is stale (see ClaimsEpochs).
   */
  claimsEpoch?: number
  /** When an admin disabled the account (null: enabled); see `isUserDisabled` for whether it still is. */
  disabledAt?: Date | null
  /** The admin's reason (shown in the console, never to the user). */
  disabledReason?: string | null
  /** The disablement ends by itself at this time (null: until an admin enables the account). */
  disabledUntil?: Date | null
}

/** A row of `guard_users` as the drivers return it. */
export interface UserRow {
  id: string
  email: string
  email_verified: boolean
  password_hash: string
  roles: string[]
  public_metadata: Record<string, unknown>
  created_at: Date | string
  claims_epoch?: number
  disabled_at?: Date | string | null
  disabled_reason?: string | null
  disabled_until?: Date | string | null
}

/** Every column a `UserRecord` is read from. */
export const COLUMNS = 'id, email, email_verified, password_hash, roles, public_metadata, created_at, claims_epoch, disabled_at, disabled_reason, disabled_until'
/** Serialises sign-ups' first-user decision, role changes and disabling: they never interleave. */
export const USERS_LOCK = 727274002
/** SQL: the row's account is disabled at the time `at` (an SQL expression); a passed `disabled_until` ends it. */
const DISABLED_AT = (at: string) => `(disabled_at is not null and (disabled_until is null or disabled_until > ${at}))`

/** Maps a row of `guard_users` (any driver) to a `UserRecord`. */
export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified,
    passwordHash: row.password_hash,
    roles: row.roles,
    publicMetadata: row.public_metadata ?? {},
    createdAt: new Date(row.created_at),
    claimsEpoch: Number(row.claims_epoch ?? 0),
    disabledAt: row.disabled_at ? new Date(row.disabled_at) : null,
    disabledReason: row.disabled_reason ?? null,
    disabledUntil: row.disabled_until ? new Date(row.disabled_until) : null,
  }
}

/** The email address was taken (compared case-insensitively): 409 `email_taken` naming the field. */
export class EmailTakenError extends GuardError {
  constructor() { super('email_taken', undefined, { field: 'email' }) }
}

/**
 * Creates a user. The very first user gets the `admin` role, every later one
 * `member`; an advisory lock makes that decision race-free.
 *
 * @example
 * const user = await createUser(db, { id: newId('user'), email, passwordHash })
 */
export function createUser(db: GuardDatabase, input: { id: string; email: string; passwordHash: string }): Promise<UserRecord> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [USERS_LOCK])
    if ((await tx.query('select 1 from guard_users where lower(email) = lower($1)', [input.email])).length) throw new EmailTakenError()
    const [{ count } = { count: 0 }] = await tx.query<{ count: number }>('select count(*)::int as count from guard_users')
    const roles = count === 0 ? [ADMIN_ROLE] : ['member']
    const [row] = await tx.query<UserRow>(
      `insert into guard_users (id, email, password_hash, roles) values ($1, $2, $3, $4::jsonb) returning ${COLUMNS}`,
      [input.id, input.email, input.passwordHash, JSON.stringify(roles)],
    )
    return toUserRecord(row!)
  })
}

/**
 * Finds a user by email, case-insensitively.
 *
 * @example
 * const user = await findUserByEmail(db, 'Ada@Example.com')
 */
export async function findUserByEmail(db: SqlExecutor, email: string): Promise<UserRecord | undefined> {
  const [row] = await db.query<UserRow>(`select ${COLUMNS} from guard_users where lower(email) = lower($1)`, [email])
  return row && toUserRecord(row)
}

/**
 * Replaces a user's password hash (a completed password reset, a change of
 * password) and records `changedAt` as `password_changed_at`; `false`
 * when the user is gone.
 *
 * @example
 * await setUserPasswordHash(db, userId, await hashPassword(newPassword), new Date())
 */
export async function setUserPasswordHash(db: SqlExecutor, userId: string, passwordHash: string, changedAt: Date): Promise<boolean> {
  return (await db.query(
    'update guard_users set password_hash = $2, password_changed_at = $3, updated_at = now() where id = $1 returning id',
    [userId, passwordHash, changedAt.toISOString()],
  )).length > 0
}

/**
 * Finds a user by id.
 *
 * @example
 * const user = await findUserById(db, claims.sub)
 */
export async function findUserById(db: SqlExecutor, id: string): Promise<UserRecord | undefined> {
  const [row] = await db.query<UserRow>(`select ${COLUMNS} from guard_users where id = $1`, [id])
  return row && toUserRecord(row)
}

/**
 * How many users exist.
 *
 * @example
 * if (await countUsers(db) === 0) console.info('sign up to become the admin')
 */
export async function countUsers(db: SqlExecutor): Promise<number> {
  const [row] = await db.query<{ count: number }>('select count(*)::int as count from guard_users')
  return row?.count ?? 0
}

/** One row of the console's user list. */
export interface AdminUserSummary {
  id: string
  email: string
  roles: string[]
  createdAt: Date
  /** Sessions neither revoked nor expired. */
  activeSessions: number
  /** When an admin disabled the account, its reason and end (all null when enabled; a passed `disabledUntil` means enabled again). */
  disabledAt: Date | null
  disabledReason: string | null
  disabledUntil: Date | null
}

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
  const rows = await db.query<{ id: string; email: string; roles: string[]; created_at: string | Date; active_sessions: number; disabled_at: string | Date | null; disabled_reason: string | null; disabled_until: string | Date | null }>(
    `select u.id, u.email, u.roles, u.created_at, u.disabled_at, u.disabled_reason, u.disabled_until,
            (select count(*)::int from guard_sessions s where s.user_id = u.id and s.revoked_at is null and s.expires_at > $4) as active_sessions
       from guard_users u
      where lower(u.email) like $1
      order by u.created_at, u.id
      limit $2 offset $3`,
    [pattern, limit, offset, now.toISOString()],
  )
  const [count] = await db.query<{ total: number }>('select count(*)::int as total from guard_users where lower(email) like $1', [pattern])
  return {
    users: rows.map(row => ({
      id: row.id, email: row.email, roles: row.roles, createdAt: new Date(row.created_at), activeSessions: row.active_sessions,
      disabledAt: row.disabled_at ? new Date(row.disabled_at) : null, disabledReason: row.disabled_reason, disabledUntil: row.disabled_until ? new Date(row.disabled_until) : null,
    })),
    total: count?.total ?? 0,
  }
}

/**
 * The change would leave no user with the admin role: 409 `last_admin`, naming the user when known.
 *
 * @example
 * await setUserRoles(db, lastAdminId, ['member']).catch(error => { if (error instanceof LastAdminError) refuse() })
 */
export class LastAdminError extends GuardError {
  constructor(email?: string) { super('last_admin', email ? `${email} is the last admin; give another user the admin role first.` : undefined) }
}

/**
 * Inside the users lock ({@link USERS_LOCK}): refuses (LastAdminError) when
 * `user` is an admin and no other admin can sign in at `now` — a disabled
 * admin cannot keep the console reachable. Nothing to check for a non-admin.
 *
 * @example
 * await assertAnotherAdmin(tx, current, new Date()) // before disabling, deleting or demoting `current`
 */
export async function assertAnotherAdmin(tx: SqlExecutor, user: { id: string; email: string; roles: string[] }, now: Date): Promise<void> {
  if (!user.roles.includes(ADMIN_ROLE)) return
  const [others] = await tx.query<{ n: number }>(
    `select count(*)::int as n from guard_users where id <> $1 and roles @> $2::jsonb and not ${DISABLED_AT('$3::timestamptz')}`,
    [user.id, JSON.stringify([ADMIN_ROLE]), now.toISOString()],
  )
  if (!others?.n) throw new LastAdminError(user.email)
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
    const [current] = await tx.query<{ roles: string[]; email: string }>('select roles, email from guard_users where id = $1', [userId])
    if (!current) return undefined
    if (!roles.includes(ADMIN_ROLE)) await assertAnotherAdmin(tx, { id: userId, ...current }, new Date())
    const [row] = await tx.query<UserRow>(
      `update guard_users set roles = $2::jsonb, updated_at = now(), claims_epoch = claims_epoch + 1, claims_changed_at = now() where id = $1
       returning ${COLUMNS}`,
      [userId, JSON.stringify(roles)],
    )
    return toUserRecord(row!)
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
  const [row] = await db.query<UserRow>(
    `update guard_users set public_metadata = $2::jsonb, updated_at = now(), claims_epoch = claims_epoch + 1, claims_changed_at = now() where id = $1
     returning ${COLUMNS}`,
    [userId, JSON.stringify(metadata)],
  )
  return row && toUserRecord(row)
}

/**
 * Marks that what a user's session tokens render from changed outside the
 * `guard_users` row (e.g. an admin reset their factors): bumps the user's
 * claims epoch and resolves to the new one, `undefined` when there is no
 * such user. Changes to the row itself (roles, metadata) bump it in the
 * same statement (see setUserRoles, setPublicMetadata).
 *
 * @example
 * await deleteAllFactors(db, userId)
 * const epoch = await bumpClaimsEpoch(db, userId)
 */
export async function bumpClaimsEpoch(db: SqlExecutor, userId: string): Promise<number | undefined> {
  const [row] = await db.query<{ claims_epoch: number }>(
    'update guard_users set claims_epoch = claims_epoch + 1, claims_changed_at = now() where id = $1 returning claims_epoch',
    [userId],
  )
  return row && Number(row.claims_epoch)
}

/**
 * The users whose claims epoch changed within the last `windowMs` (by the
 * database's clock, which also stamped the change), with their epoch: what an
 * instance that missed the notifications (start-up, a LISTEN reconnect) must
 * know, for every token that could still be live.
 *
 * @example
 * for (const { userId, epoch } of await claimsEpochsChangedWithin(db, 3_660_000)) epochs.noteUser(userId, epoch)
 */
export async function claimsEpochsChangedWithin(db: SqlExecutor, windowMs: number): Promise<{ userId: string; epoch: number }[]> {
  const rows = await db.query<{ id: string; claims_epoch: number }>(
    `select id, claims_epoch from guard_users where claims_changed_at > now() - make_interval(secs => $1)`,
    [windowMs / 1000],
  )
  return rows.map(row => ({ userId: row.id, epoch: Number(row.claims_epoch) }))
}

/**
 * Inserts a user with the given roles (an admin's create, an accepted
 * invitation), refusing a taken address (EmailTakenError, compared
 * case-insensitively). Run it inside `db.transaction`: it takes the users
 * lock for the rest of that transaction, so it never interleaves with a
 * sign-up's first-user decision.
 *
 * @example
 * await db.transaction(tx => insertUserWithRoles(tx, { id: newId('user'), email, passwordHash, roles: ['member'], emailVerified: true }))
 */
export async function insertUserWithRoles(tx: SqlExecutor, input: { id: string; email: string; passwordHash: string; roles: string[]; emailVerified: boolean }): Promise<UserRecord> {
  await tx.query('select pg_advisory_xact_lock($1)', [USERS_LOCK])
  if ((await tx.query('select 1 from guard_users where lower(email) = lower($1)', [input.email])).length) throw new EmailTakenError()
  const [row] = await tx.query<UserRow>(
    `insert into guard_users (id, email, password_hash, roles, email_verified) values ($1, $2, $3, $4::jsonb, $5) returning ${COLUMNS}`,
    [input.id, input.email, input.passwordHash, JSON.stringify(input.roles), input.emailVerified],
  )
  return toUserRecord(row!)
}

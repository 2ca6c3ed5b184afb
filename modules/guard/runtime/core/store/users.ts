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
}

interface UserRow {
  id: string
  email: string
  email_verified: boolean
  password_hash: string
  roles: string[]
  public_metadata: Record<string, unknown>
  created_at: Date | string
  claims_epoch?: number
}

const COLUMNS = 'id, email, email_verified, password_hash, roles, public_metadata, created_at, claims_epoch'

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
  }
}

/** The email address was taken (compared case-insensitively). */
export class EmailTakenError extends Error {
  constructor() { super('an account with this email address already exists') }
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
    await tx.query('select pg_advisory_xact_lock(727274002)')
    if ((await tx.query('select 1 from guard_users where lower(email) = lower($1)', [input.email])).length) throw new EmailTakenError()
    const [{ count } = { count: 0 }] = await tx.query<{ count: number }>('select count(*)::int as count from guard_users')
    const roles = count === 0 ? ['admin'] : ['member']
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

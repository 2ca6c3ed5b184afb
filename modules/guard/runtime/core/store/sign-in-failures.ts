import type { SqlExecutor } from './db/database'

/** Who a sign-in attempt is for and from: an account key, a client address and, when it showed one, a known device. */
export interface SignInAttemptKey {
  /** A hash of the normalized email (made-up addresses count too, and no email is stored). */
  account: string
  /** The client address (`unknown` when there is none). */
  client: string
  /** The known-device id the client showed for this account, if any. */
  device?: string
}

/** Failures counted over sliding windows, each in its own scope. */
export interface FailureCounts {
  /** Failures on the account from clients without a known device, last `accountWindow`. */
  account: number
  /** Failures of this client on this account without a known device, last `clientWindow`. */
  pair: number
  /** Failures of this client on any account without a known device, last `clientWindow`. */
  client: number
  /** Failures with this known device, last `accountWindow`. */
  device: number
}

/**
 * Records an attempt as a failure before its password is checked (so that
 * attempts in flight count, and concurrent ones cannot slip past a limit);
 * a success or a refusal deletes it again with `forgetAttempt`. Returns the
 * row id.
 *
 * @example
 * const id = await recordAttempt(db, { account, client, device }, now)
 */
export async function recordAttempt(db: SqlExecutor, key: SignInAttemptKey, now: Date): Promise<string> {
  const [row] = await db.query<{ id: string | number }>(
    'insert into guard_sign_in_failures (at, account, client, device) values ($1, $2, $3, $4) returning id::text as id',
    [now.toISOString(), key.account, key.client, key.device ?? null],
  )
  return String(row!.id)
}

/** Deletes one attempt row (it succeeded, or it was refused before any check). */
export async function forgetAttempt(db: SqlExecutor, id: string): Promise<void> {
  await db.query('delete from guard_sign_in_failures where id = $1::bigint', [id])
}

/**
 * After a correct password: this client's failures on this account (and the
 * device's) start over. The account's count from other clients does not.
 */
export async function forgetPairFailures(db: SqlExecutor, key: SignInAttemptKey): Promise<void> {
  await db.query('delete from guard_sign_in_failures where account = $1 and client = $2 and device is null', [key.account, key.client])
  if (key.device) await db.query('delete from guard_sign_in_failures where device = $1', [key.device])
}

/**
 * Counts failures in each scope over sliding windows ending at `now` (the
 * attempt's own row included when it is recorded).
 *
 * @example
 * const counts = await countFailures(db, key, now, { accountSeconds: 3600, clientSeconds: 900 })
 */
export async function countFailures(db: SqlExecutor, key: SignInAttemptKey, now: Date, windows: { accountSeconds: number; clientSeconds: number }): Promise<FailureCounts> {
  const accountSince = new Date(now.getTime() - windows.accountSeconds * 1000).toISOString()
  const clientSince = new Date(now.getTime() - windows.clientSeconds * 1000).toISOString()
  const [row] = await db.query<Record<keyof FailureCounts, number | string>>(
    `select
       count(*) filter (where account = $1 and device is null and at > $4) as account,
       count(*) filter (where account = $1 and client = $2 and device is null and at > $5) as pair,
       count(*) filter (where client = $2 and device is null and at > $5) as client,
       count(*) filter (where device = $3 and at > $4) as device
     from guard_sign_in_failures
     where at > least($4::timestamptz, $5::timestamptz) and (account = $1 or client = $2 or device = $3)`,
    [key.account, key.client, key.device ?? null, accountSince, clientSince],
  )
  return { account: Number(row?.account ?? 0), pair: Number(row?.pair ?? 0), client: Number(row?.client ?? 0), device: Number(row?.device ?? 0) }
}

/** The scopes `secondsUntilBelow` can wait on. */
export type FailureScope = keyof FailureCounts

/** Each scope's condition and the key fields it reads, in parameter order after the window start. */
const SCOPE_WHERE: Record<FailureScope, { where: string; params: (key: SignInAttemptKey) => string[] }> = {
  account: { where: 'account = $3 and device is null', params: key => [key.account] },
  pair: { where: 'account = $3 and client = $4 and device is null', params: key => [key.account, key.client] },
  client: { where: 'client = $3 and device is null', params: key => [key.client] },
  device: { where: 'device = $3', params: key => [key.device ?? ''] },
}

/**
 * Seconds until fewer than `limit` failures of a scope remain in its sliding
 * window: when the `limit`-th most recent one leaves it (at least 1).
 *
 * @example
 * const retryAfter = await secondsUntilBelow(db, key, 'account', 100, 3600, now)
 */
export async function secondsUntilBelow(db: SqlExecutor, key: SignInAttemptKey, scope: FailureScope, limit: number, windowSeconds: number, now: Date): Promise<number> {
  const since = new Date(now.getTime() - windowSeconds * 1000).toISOString()
  const { where, params } = SCOPE_WHERE[scope]
  const [row] = await db.query<{ at: string | Date }>(
    `select at from guard_sign_in_failures where at > $1 and ${where} order by at desc offset $2 limit 1`,
    [since, Math.max(0, limit - 1), ...params(key)],
  )
  if (!row) return 1
  return Math.max(1, Math.ceil((new Date(row.at).getTime() + windowSeconds * 1000 - now.getTime()) / 1000))
}

/**
 * Deletes failures older than the longest sliding window (an hour): they no
 * longer count anywhere. Returns how many went.
 *
 * @example
 * await pruneSignInFailures(db, new Date())
 */
export async function pruneSignInFailures(db: SqlExecutor, now: Date): Promise<number> {
  return (await db.query(`delete from guard_sign_in_failures where at <= $1::timestamptz - interval '1 hour' returning 1`, [now.toISOString()])).length
}

/**
 * Deletes every failure recorded on an account (an admin unlocked it): its
 * per-account count and each client's count on it start over. Returns how
 * many went.
 *
 * @example
 * await forgetAccountFailures(db, guard.throttle.accountKey(user.email))
 */
export async function forgetAccountFailures(db: SqlExecutor, account: string): Promise<number> {
  return (await db.query('delete from guard_sign_in_failures where account = $1 returning 1', [account])).length
}

import type { SqlExecutor } from './db/database'

export interface RateLimitRule {
  /** Attempts allowed within the window. */
  limit: number
  /** The window, in seconds, counted from the first attempt. */
  windowSeconds: number
  /** How long the key stays blocked once the limit is reached, in seconds. */
  blockSeconds: number
}

export interface RateLimitHit {
  /** Attempts counted in the current window, this one included. */
  count: number
  /** `false` when this attempt is over the limit: refuse it. */
  allowed: boolean
  /** Seconds until the key may try again (0 when allowed). */
  retryAfterSeconds: number
}

/**
 * Counts one attempt against `key` in a single atomic statement
 * (`insert … on conflict … do update … returning`), so concurrent attempts
 * can never slip past the limit. Count before checking the secret: an
 * attempt in flight already counts.
 *
 * @example
 * const hit = await hitRateLimit(db, `challenge:${sessionId}`, { limit: 5, windowSeconds: 900, blockSeconds: 900 }, new Date())
 * if (!hit.allowed) throw tooManyAttempts(hit.retryAfterSeconds)
 */
export async function hitRateLimit(db: SqlExecutor, key: string, rule: RateLimitRule, now: Date): Promise<RateLimitHit> {
  const [row] = await db.query<{ count: number; blocked_until: string | Date | null }>(
    `insert into guard_rate_limits as r (key, count, window_ends_at, blocked_until)
     values ($1, 1, $2::timestamptz + make_interval(secs => $3), case when 1 > $4 then $2::timestamptz + make_interval(secs => $5) end)
     on conflict (key) do update set
       count = case when r.window_ends_at <= $2 or r.blocked_until <= $2 then 1 else r.count + 1 end,
       window_ends_at = case when r.window_ends_at <= $2 or r.blocked_until <= $2 then $2::timestamptz + make_interval(secs => $3) else r.window_ends_at end,
       blocked_until = case
         when r.blocked_until > $2 then r.blocked_until
         when r.window_ends_at > $2 and r.blocked_until is null and r.count + 1 > $4 then $2::timestamptz + make_interval(secs => $5)
         else null end
     returning count, blocked_until`,
    [key, now.toISOString(), rule.windowSeconds, rule.limit, rule.blockSeconds],
  )
  const blockedUntil = row?.blocked_until ? new Date(row.blocked_until).getTime() : 0
  const retryAfterSeconds = Math.max(0, Math.ceil((blockedUntil - now.getTime()) / 1000))
  return { count: row?.count ?? 1, allowed: retryAfterSeconds === 0, retryAfterSeconds }
}

/**
 * Seconds until `key` may try again, without counting an attempt (0 = not blocked).
 *
 * @example
 * const wait = await rateLimitWait(db, `factor:${userId}:totp`, new Date())
 */
export async function rateLimitWait(db: SqlExecutor, key: string, now: Date): Promise<number> {
  const [row] = await db.query<{ blocked_until: string | Date | null }>('select blocked_until from guard_rate_limits where key = $1', [key])
  const until = row?.blocked_until ? new Date(row.blocked_until).getTime() : 0
  return Math.max(0, Math.ceil((until - now.getTime()) / 1000))
}

/**
 * Forgets the attempts of `key` (after a success), unless it is blocked:
 * a lockout always runs its course.
 *
 * @example
 * await resetRateLimit(db, `factor:${userId}:totp`, new Date())
 */
export async function resetRateLimit(db: SqlExecutor, key: string, now: Date): Promise<void> {
  await db.query('delete from guard_rate_limits where key = $1 and (blocked_until is null or blocked_until <= $2)', [key, now.toISOString()])
}

/**
 * Deletes rate-limit rows whose window and block are both over; returns how many went.
 *
 * @example
 * await pruneRateLimits(db, new Date())
 */
export async function pruneRateLimits(db: SqlExecutor, now: Date): Promise<number> {
  return (await db.query('delete from guard_rate_limits where window_ends_at <= $1 and (blocked_until is null or blocked_until <= $1) returning 1', [now.toISOString()])).length
}

/**
 * Deletes every rate-limit row of a user, blocks included (an admin unlocked
 * them): keys with the user id as a `:`-separated segment
 * (`factor-client:<user>:<ip>`, `email-send:<user>`, `reset-factor:<user>`, …),
 * the challenges of the user's sessions (`challenge:<session>`), and
 * `extraKeys`. Returns the keys removed.
 *
 * @example
 * const cleared = await clearUserRateLimits(db, userId, [`reset-request:address:${sha256(email)}`])
 */
export async function clearUserRateLimits(db: SqlExecutor, userId: string, extraKeys: readonly string[] = []): Promise<string[]> {
  const rows = await db.query<{ key: string }>(
    `delete from guard_rate_limits
      where position(':' || $1 || ':' in ':' || key || ':') > 0
         or key in (select 'challenge:' || id from guard_sessions where user_id = $1)
         or key = any($2::text[])
      returning key`,
    [userId, [...extraKeys]],
  )
  return rows.map(row => row.key).sort()
}

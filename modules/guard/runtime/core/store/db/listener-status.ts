/**
 * Health of the connection that receives other instances' NOTIFYs (config
 * saves, revoked sessions). While `reconnecting`, this instance keeps serving
 * with what it knows, but another instance's change reaches it only after the
 * connection is back (it then re-reads what it missed).
 *
 * @example
 * const { state, sinceMs } = guard.listenerStatus()
 * if (state !== 'connected') console.warn(`listener down for ${Date.now() - sinceMs} ms`)
 */
export interface ListenerStatus {
  /** `connected`: notifications arrive; `reconnecting`: lost, retrying with backoff; `closed`: shut down. */
  state: 'connected' | 'reconnecting' | 'closed'
  /** When the current state began: wall-clock epoch milliseconds. */
  sinceMs: number
  /** Failed reconnect attempts in the current outage (0 while connected). */
  attempts: number
  /** Why the connection was lost or the latest attempt failed (while reconnecting). */
  lastError?: string
  /** When the next reconnect attempt is due: epoch milliseconds (while reconnecting). */
  nextAttemptAtMs?: number
  /** PostgreSQL's process id of the LISTEN connection (while connected; not for PGlite). */
  backendPid?: number
}

/** Reconnect backoff: the first retry after `minMs`, doubling, never longer than `maxMs`. */
export interface Backoff { minMs: number; maxMs: number }

export const DEFAULT_BACKOFF: Backoff = { minMs: 250, maxMs: 5_000 }

/**
 * The wait before reconnect attempt `attempt` (0-based): min × 2^attempt,
 * capped at max, less up to 20 % random jitter so instances that lost the
 * server together do not retry in lockstep.
 *
 * @example
 * backoffDelay(0) // ≈ 200–250 ms
 * backoffDelay(10) // ≈ 4–5 s (the cap)
 */
export function backoffDelay(attempt: number, { minMs, maxMs }: Backoff = DEFAULT_BACKOFF, random = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30))
  return Math.round(base * (1 - 0.2 * random()))
}

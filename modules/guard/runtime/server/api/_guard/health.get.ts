import { defineEventHandler, setResponseHeader, setResponseStatus } from 'h3'
import type { Guard } from '#guard/core/engine/create-guard'
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '#guard/server/utils/errors'
import { readyGuard } from '#guard/server/utils/guard-instance'

/** How long `select 1` may take before the database counts as unreachable (ms). */
const DATABASE_PROBE_TIMEOUT_MS = 2_000

/** What `GET /api/_guard/health` answers. */
export interface GuardHealth {
  /** `ok`; `degraded`: serving, but other instances' changes arrive only once the listener is back; `unavailable`: 503. */
  status: 'ok' | 'degraded' | 'unavailable'
  database: { ok: boolean; latencyMs: number | null }
  keys: { ok: boolean }
  listener: { state: 'connected' | 'reconnecting' | 'closed'; since: string | null; attempts: number; lastError?: string }
}

/**
 * GET /api/_guard/health: liveness and readiness for load balancers, no
 * sign-in needed. 200 with `ok` or `degraded` (the LISTEN connection is
 * reconnecting: this instance keeps serving and catches up once it is back);
 * 503 `unavailable` with `Retry-After` when `select 1` fails or takes over
 * 2 s, when there is no signing key, or while the guard has not started.
 * Never cached; carries no secrets (URLs with credentials are masked).
 */
export default defineEventHandler(async (event): Promise<GuardHealth> => {
  setResponseHeader(event, 'cache-control', 'no-store')
  const guard = readyGuard()
  const health = guard ? await probeShared(guard) : notStarted()
  if (health.status === 'unavailable') {
    setResponseStatus(event, 503)
    setResponseHeader(event, 'retry-after', UNAVAILABLE_RETRY_AFTER_SECONDS)
  }
  return health
})

/** Probes in flight: load balancers polling together share one `select 1`. */
let inflight: Promise<GuardHealth> | undefined

function probeShared(guard: Guard): Promise<GuardHealth> {
  return (inflight ??= probe(guard).finally(() => { inflight = undefined }))
}

async function probe(guard: Guard): Promise<GuardHealth> {
  const database = await probeDatabase(guard)
  const keys = { ok: guard.keys.keySet.signingKey(guard.now()) !== undefined }
  const status = guard.listenerStatus()
  const listener: GuardHealth['listener'] = {
    state: status.state,
    since: new Date(status.sinceMs).toISOString(),
    attempts: status.attempts,
    ...(status.lastError ? { lastError: maskCredentials(status.lastError) } : {}),
  }
  return {
    status: !database.ok || !keys.ok ? 'unavailable' : listener.state === 'connected' ? 'ok' : 'degraded',
    database, keys, listener,
  }
}

async function probeDatabase(guard: Guard): Promise<GuardHealth['database']> {
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), DATABASE_PROBE_TIMEOUT_MS)
  })
  try {
    await Promise.race([guard.db.query('select 1'), timeout])
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 }
  }
  catch {
    return { ok: false, latencyMs: null }
  }
  finally {
    clearTimeout(timer)
  }
}

function notStarted(): GuardHealth {
  return {
    status: 'unavailable',
    database: { ok: false, latencyMs: null },
    keys: { ok: false },
    listener: { state: 'closed', since: null, attempts: 0, lastError: 'the guard has not started (see the server log)' },
  }
}

/** `postgres://user:secret@host` → `postgres://***@host`. */
function maskCredentials(text: string): string {
  return text.replace(/\/\/[^/\s@]+@/g, '//***@')
}

/**
 * Cross-instance sync survives a lost LISTEN connection: the listener
 * reconnects with backoff, logs the loss and the recovery once each, and
 * re-reads the config version and the revocations it missed. PostgreSQL only
 * (GUARD_TEST_DATABASE_URL): PGlite runs in process and has no connection to lose.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import pg from 'pg'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { backoffDelay } from '../../modules/guard/runtime/core/store/db/listener-status'
import { PostgresListener } from '../../modules/guard/runtime/core/store/db/postgres-listener'
import { openDatabase, type DatabaseOptions, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { postgres } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, SECRET, closeWithin, eventually, newEmail, startEngine, stopEngine } from '../support/engine'
import { tcpProxy } from '../support/tcp-proxy'

const url = process.env.GUARD_TEST_DATABASE_URL

describe('backoffDelay', () => {
  it('doubles from 250 ms and stays at 5 s, less at most 20 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 12, 1_000].map(attempt => backoffDelay(attempt, undefined, () => 0))).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000])
    expect(backoffDelay(0, undefined, () => 1)).toBe(200)
    expect(backoffDelay(9, { minMs: 10, maxMs: 100 }, () => 0.5)).toBe(90)
  })
})

describe('PGlite listener', () => {
  it('is always connected (in process)', async () => {
    const db = await openDatabase({ dataDir: 'memory://' })
    try { expect(db.listenerStatus()).toMatchObject({ state: 'connected', attempts: 0 }) }
    finally { await db.close() }
  }, 30_000)
})

describe.skipIf(!url)('PostgresListener behind a silent network cut', () => {
  it('a heartbeat that gets no answer counts as a lost connection; it reconnects and notifications flow again', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.spyOn(console, 'info').mockImplementation(() => {})
    const target = new URL(url!)
    const proxy = await tcpProxy(target.hostname, Number(target.port || 5432))
    const viaProxy = new URL(url!)
    viaProxy.port = String(proxy.port)
    const listener = new PostgresListener({ connectionString: viaProxy.toString() }, { minMs: 50, maxMs: 200 }, 200)
    const received: string[] = []
    const restored = vi.fn()
    listener.onRestored(restored)
    try {
      await listener.subscribe('guard_test_heartbeat', payload => received.push(payload))
      const firstPid = listener.status().backendPid
      proxy.freeze() // no FIN, no RST: only a heartbeat notices
      expect(await eventually(() => listener.status().state === 'reconnecting', 7_000)).toBe(true)
      expect(listener.status().lastError).toMatch(/heartbeat/)
      expect(await eventually(() => listener.status().state === 'connected', 5_000)).toBe(true)
      expect(listener.status().backendPid).not.toBe(firstPid)
      expect(restored).toHaveBeenCalledTimes(1)
      const notifier = new pg.Client({ connectionString: url })
      await notifier.connect()
      try { await notifier.query(`select pg_notify('guard_test_heartbeat', 'after the cut')`) }
      finally { await notifier.end() }
      expect(await eventually(() => received.includes('after the cut'), 2_000)).toBe(true)
      expect(warn.mock.calls.filter(([line]) => /lost the LISTEN connection/.test(String(line)))).toHaveLength(1)
    }
    finally {
      await listener.close()
      await proxy.close()
      vi.restoreAllMocks()
    }
  }, 20_000)
})

describe.skipIf(!url)('two instances on PostgreSQL after the LISTEN connection drops', () => {
  const backend = postgres(url!)
  const clock = fakeClock()
  let a: { storeOptions: DatabaseOptions; db: GuardDatabase; guard: Guard }
  let b: Guard
  let warn: MockInstance
  let info: MockInstance

  /** Ends PostgreSQL backends by pid, as an operator (or a failover) would. */
  async function terminate(pids: number[]): Promise<void> {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    try { await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)', [pids]) }
    finally { await admin.end() }
  }
  const guardLogs = (spy: MockInstance, pattern: RegExp) => spy.mock.calls.filter(([line]) => pattern.test(String(line)))

  beforeAll(async () => {
    a = await startEngine(backend, clock.now)
    b = await createGuard({ database: backend.sameStore(a.storeOptions, a.db), secret: SECRET, seed: {}, now: clock.now })
  }, 60_000)
  afterAll(async () => {
    await closeWithin(() => b?.close())
    await stopEngine(backend, a ?? {})
  }, 30_000)
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    info = vi.spyOn(console, 'info').mockImplementation(() => {})
  })
  afterEach(() => vi.restoreAllMocks())

  it('reports the listener connected, with its backend pid', () => {
    expect(b.listenerStatus()).toMatchObject({ state: 'connected', attempts: 0, backendPid: expect.any(Number) })
  })

  it('a config saved through A while B’s listener is down reaches B within 5 s; loss and recovery are logged once each', async () => {
    const version = a.guard.live.policy.version
    const killedAt = Date.now()
    await terminate([b.listenerStatus().backendPid!, a.guard.listenerStatus().backendPid!])
    expect(await eventually(() => b.listenerStatus().state === 'reconnecting', 2_000)).toBe(true)
    expect(b.listenerStatus()).toMatchObject({ state: 'reconnecting', lastError: expect.any(String), nextAttemptAtMs: expect.any(Number) })

    // Saved while B cannot hear it: only B's catch-up can bring it.
    const document = { ...a.guard.live.policy.config, claims: { template: { origin: 'saved-during-outage' } } }
    await a.guard.live.save(document, { expectedVersion: version })
    expect(await eventually(() => b.live.policy.version === version + 1, 5_000)).toBe(true)
    const convergedMs = Date.now() - killedAt
    expect(b.live.policy.config.claims.template).toEqual({ origin: 'saved-during-outage' })
    expect(await eventually(() => b.listenerStatus().state === 'connected' && a.guard.listenerStatus().state === 'connected', 5_000)).toBe(true)
    console.log(`[engine-listener] B converged ${convergedMs} ms after its listener was killed`)

    expect(guardLogs(warn, /^\[nuxt-guard\] lost the LISTEN connection/)).toHaveLength(2) // A and B, once each
    expect(guardLogs(info, /^\[nuxt-guard\] LISTEN connection to PostgreSQL is back after \d+ ms/)).toHaveLength(2)

    // And live notifications flow again: the next save reaches B without a catch-up.
    await a.guard.live.save({ ...document, claims: { template: { origin: 'after-recovery' } } }, { expectedVersion: version + 1 })
    expect(await eventually(() => b.live.policy.version === version + 2, 2_000)).toBe(true)
  }, 30_000)

  it('a session revoked through A while B’s listener is down is refused by B once it is back', async () => {
    const session = await a.guard.sessions.signUp({ email: newEmail('revoked-in-outage'), password: PASSWORD })
    expect((await b.authenticator.authenticate({ token: session.token, tokenSource: 'bearer' })).status).toBe('signed-in')
    await terminate([b.listenerStatus().backendPid!])
    expect(await eventually(() => b.listenerStatus().state === 'reconnecting', 2_000)).toBe(true)
    expect(await a.guard.revokeSession(session.sessionId)).toBe(true)
    expect(await eventually(() => b.authenticator.fromCache(session.token) === undefined, 5_000)).toBe(true)
    expect((await b.authenticator.authenticate({ token: session.token, tokenSource: 'bearer' })).status).toBe('signed-out')
  }, 30_000)

  it('B behind a server that goes away for 1.5 s (connections cut, then refused) retries with backoff and catches up', async () => {
    const target = new URL(a.storeOptions.url!)
    const proxy = await tcpProxy(target.hostname, Number(target.port || 5432))
    const viaProxy = new URL(a.storeOptions.url!)
    viaProxy.port = String(proxy.port)
    const c = await createGuard({ database: { url: viaProxy.toString(), dataDir: '' }, secret: SECRET, seed: {}, now: clock.now })
    try {
      const version = a.guard.live.policy.version
      await proxy.down()
      expect(await eventually(() => c.listenerStatus().state === 'reconnecting', 2_000)).toBe(true)
      const lostAt = c.listenerStatus().sinceMs
      await a.guard.live.save({ ...a.guard.live.policy.config, claims: { template: { origin: 'while-server-away' } } }, { expectedVersion: version })
      await new Promise(resolve => setTimeout(resolve, 1_500))
      expect(c.listenerStatus()).toMatchObject({ state: 'reconnecting', sinceMs: lostAt })
      expect(c.listenerStatus().attempts).toBeGreaterThanOrEqual(2) // refused at ~250 and ~750 ms
      expect(c.live.policy.version).toBe(version)
      await proxy.up()
      expect(await eventually(() => c.live.policy.version === version + 1, 5_000)).toBe(true)
      expect(c.listenerStatus().state).toBe('connected')
      expect(guardLogs(warn, /lost the LISTEN connection/)).toHaveLength(1)
      expect(guardLogs(info, /LISTEN connection to PostgreSQL is back/)).toHaveLength(1)
    }
    finally {
      await closeWithin(() => c.close())
      await proxy.close()
    }
  }, 30_000)
})

describe.skipIf(!url)('NOTIFY with delivery receipts: a change is answered once every instance has applied it', () => {
  const channel = `guard_test_receipts_${process.pid}`
  let pool: pg.Pool
  let proxy: Awaited<ReturnType<typeof tcpProxy>>
  let a: PostgresListener
  let b: PostgresListener
  const heardByB: string[] = []

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: url, max: 2 })
    const target = new URL(url!)
    proxy = await tcpProxy(target.hostname, Number(target.port || 5432))
    const viaProxy = new URL(url!)
    viaProxy.port = String(proxy.port)
    viaProxy.searchParams.set('application_name', 'instance-b')
    a = new PostgresListener({ connectionString: url })
    b = new PostgresListener({ connectionString: viaProxy.toString() })
    await a.subscribe(channel, () => {})
    await b.subscribe(channel, payload => heardByB.push(payload))
  }, 20_000)
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
    await proxy?.close()
    await pool?.end()
  })
  afterEach(() => vi.restoreAllMocks())

  it('listener connections are named so senders find them, keeping a configured name', async () => {
    const { rows } = await pool.query('select application_name from pg_stat_activity where pid = any($1)', [[a.status().backendPid, b.status().backendPid]])
    expect(rows.map(row => row.application_name).sort()).toEqual(['nuxt-guard listener', 'nuxt-guard listener: instance-b'])
  })

  it('publish resolves only after B ran its handler, even when everything B hears arrives 300 ms late', async () => {
    proxy.lag(300)
    try {
      const started = performance.now()
      await a.publish(pool, channel, 'user_1 4')
      const waited = performance.now() - started
      expect(heardByB).toEqual(['user_1 4']) // the handler gets the payload as sent, without the receipt
      expect(waited).toBeGreaterThanOrEqual(250)
      console.info(`[receipts] a notification to a listener 300 ms away was confirmed after ${waited.toFixed(0)} ms`)
    }
    finally { proxy.lag(0) }
  })

  it('costs a round trip through PostgreSQL: 20 confirmed changes, each heard by B before publish resolves', async () => {
    const times: number[] = []
    for (let i = 0; i < 20; i++) {
      const started = performance.now()
      await a.publish(pool, channel, `change ${i}`)
      times.push(performance.now() - started)
      expect(heardByB.at(-1)).toBe(`change ${i}`)
    }
    times.sort((x, y) => x - y)
    console.info(`[receipts] confirmed publish: median ${times[10]!.toFixed(1)} ms, max ${times[19]!.toFixed(1)} ms (20)`)
    expect(times[10]).toBeLessThan(250)
  })

  it('a hand-sent NOTIFY (no receipt) reaches the handlers unchanged', async () => {
    await pool.query('select pg_notify($1, $2)', [channel, 'by hand'])
    expect(await eventually(() => heardByB.includes('by hand'), 2_000)).toBe(true)
  })

  it('a listener gone silent (host vanished, connection still open) costs one timeout, logged with its pid; later changes do not wait for it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const silentPid = b.status().backendPid!
    proxy.freeze()
    const first = performance.now()
    await a.publish(pool, channel, 'first', 300)
    expect(performance.now() - first).toBeGreaterThanOrEqual(290)
    expect(warn.mock.calls.map(([line]) => String(line)).filter(line => line.includes(`did not confirm a change on ${channel} within 300 ms (LISTEN backend pid ${silentPid})`))).toHaveLength(1)
    const second = performance.now()
    await a.publish(pool, channel, 'second', 300)
    expect(performance.now() - second).toBeLessThan(200)
    expect(heardByB).not.toContain('first')
  })
})

import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { backoffDelay, DEFAULT_BACKOFF, type Backoff, type ListenerStatus } from './listener-status'
import { LISTENER_NAME, NotifyReceipts, openPayload, RECEIPT_CHANNEL, RECEIPT_TIMEOUT_MS, sealPayload } from './notify-receipts'

type Restored = () => Promise<void> | void

/**
 * One dedicated connection that LISTENs on every subscribed channel and comes
 * back by itself: when it drops (pg_terminate_backend, a server restart, or a
 * silent network cut, caught by a heartbeat query every `heartbeatMs`) it
 * reconnects with capped exponential backoff, LISTENs again, then runs the
 * `onRestored` callbacks so the caller re-reads what it missed. The loss and
 * the recovery are logged once each (`console.warn` / `console.info`,
 * prefixed `[nuxt-guard]`).
 *
 * It also answers for delivery (see notify-receipts.ts): every notification
 * it hears with a receipt is confirmed once its handlers ran, and `publish`
 * resolves only when every listener connected at send time has confirmed.
 *
 * @example
 * const listener = new PostgresListener({ connectionString: url })
 * const stop = await listener.subscribe('nuxt_guard_config', payload => reload(payload))
 * listener.onRestored(() => reloadLatest())
 * listener.status() // { state: 'connected', sinceMs, attempts: 0, backendPid }
 */
export class PostgresListener {
  private readonly channels = new Map<string, Set<(payload: string) => void>>()
  private readonly restored = new Set<Restored>()
  private client: pg.Client | undefined
  /** Channels the current client LISTENs on. */
  private listening = new Set<string>()
  private started: Promise<void> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private current: ListenerStatus = { state: 'reconnecting', sinceMs: Date.now(), attempts: 0 }
  private lostAtMs: number | undefined
  private closed = false
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private beating = false
  private readonly receipts = new NotifyReceipts()

  /**
   * @param config pg client settings; the connection's application_name becomes
   *   `nuxt-guard listener` (or `nuxt-guard listener: <the configured name>`).
   * @param heartbeatMs how often a `select 1` checks the connection; no answer within 5 s counts as lost.
   */
  constructor(private readonly config: pg.ClientConfig, private readonly backoff: Backoff = DEFAULT_BACKOFF, private readonly heartbeatMs = 30_000) {
    this.channels.set(RECEIPT_CHANNEL, new Set())
  }

  /**
   * NOTIFYs `payload` on `channel` through `executor` (a pool) and resolves
   * once every listener connection of the database (this instance's own
   * included) has run its handlers for it, or after `timeoutMs`: then the
   * late ones are logged and the change is answered anyway (they apply it
   * when they hear it, or re-read it when their connection comes back).
   * While this instance's own LISTEN connection is down it cannot hear
   * receipts, and sends without waiting. Rejects when the NOTIFY fails.
   *
   * @example
   * await listener.publish(pool, 'nuxt_guard_config', '12') // every instance has announced version 12
   */
  async publish(executor: { query: (sql: string, params: unknown[]) => Promise<{ rows: { listeners: number[] }[] }> }, channel: string, payload: string, timeoutMs = RECEIPT_TIMEOUT_MS): Promise<void> {
    if (!this.client || this.current.state !== 'connected') {
      await executor.query('select pg_notify($1, $2)', [channel, payload])
      return
    }
    const receipt = randomBytes(8).toString('hex')
    this.receipts.open(receipt)
    let listeners: number[]
    try {
      const { rows } = await executor.query(
        'select pg_notify($1, $2), array(select pid from pg_stat_activity where datname = current_database() and left(application_name, $4) = $3) as listeners',
        [channel, sealPayload(receipt, payload), LISTENER_NAME, LISTENER_NAME.length],
      )
      listeners = rows[0]?.listeners ?? []
    }
    catch (error) {
      this.receipts.discard(receipt)
      throw error
    }
    const late = await this.receipts.settle(receipt, listeners, timeoutMs)
    if (late.length) console.warn(`[nuxt-guard] ${late.length} instance(s) did not confirm a change on ${channel} within ${timeoutMs} ms (LISTEN backend pid ${late.join(', ')}); answering anyway: they apply it when they hear it, or re-read everything when their LISTEN connection comes back`)
  }

  /** A copy of the connection's health; `backendPid` is the server process of the LISTEN connection. */
  status(): ListenerStatus {
    const backendPid = this.client && backendPidOf(this.client)
    return { ...this.current, ...(this.current.state === 'connected' && backendPid ? { backendPid } : {}) }
  }

  /**
   * LISTENs on `channel`; resolves once the first connection attempt is over
   * (even when it failed: retries go on in the background). Resolves to an
   * unsubscribe function.
   */
  async subscribe(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let handlers = this.channels.get(channel)
    if (!handlers) this.channels.set(channel, handlers = new Set())
    handlers.add(onPayload)
    await (this.started ??= this.attempt())
    const client = this.client
    if (client) await this.listenAll(client).catch(error => this.lost(client, error))
    return async () => { handlers.delete(onPayload) }
  }

  /** Calls `callback` after every reconnection (not the first connect); returns an unsubscribe function. */
  onRestored(callback: Restored): () => void {
    this.restored.add(callback)
    return () => this.restored.delete(callback)
  }

  /** Stops retrying and ends the connection. */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    clearInterval(this.heartbeat)
    this.current = { state: 'closed', sinceMs: Date.now(), attempts: 0 }
    const client = this.client
    this.client = undefined
    if (!client) return
    // A silent peer never answers the goodbye: give it a second, then drop the socket.
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([client.end().catch(() => {}), new Promise((resolve) => { timer = setTimeout(resolve, 1_000) })])
    clearTimeout(timer)
    dropSocket(client)
  }

  private async attempt(): Promise<void> {
    if (this.closed) return
    const client = new pg.Client({ application_name: LISTENER_NAME, keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: 5_000, ...this.config })
    client.on('error', error => this.lost(client, error))
    client.on('end', () => this.lost(client, new Error('connection ended')))
    client.on('notification', ({ channel, payload = '' }) => this.heard(client, channel, payload))
    try {
      await client.connect()
      // Named after connecting: a connection string's application_name would override a configured one.
      await client.query(`select set_config('application_name', case when current_setting('application_name') in ('', $1::text) then $1::text else $1::text || ': ' || current_setting('application_name') end, false)`, [LISTENER_NAME])
      this.listening = new Set()
      await this.listenAll(client)
    }
    catch (error) {
      client.removeAllListeners('end')
      await client.end().catch(() => {})
      return this.retry(error)
    }
    if (this.closed) return void client.end().catch(() => {})
    this.client = client
    this.heartbeat ??= setInterval(() => this.beat(), this.heartbeatMs)
    this.heartbeat.unref?.()
    const outage = this.lostAtMs
    this.current = { state: 'connected', sinceMs: Date.now(), attempts: 0 }
    this.lostAtMs = undefined
    if (outage === undefined) return
    console.info(`[nuxt-guard] LISTEN connection to PostgreSQL is back after ${Date.now() - outage} ms; re-reading what other instances sent meanwhile`)
    for (const callback of this.restored) {
      await Promise.resolve().then(callback).catch((error) => {
        if (!this.closed) console.warn(`[nuxt-guard] catching up after the LISTEN reconnect failed: ${message(error)}`)
      })
    }
  }

  /** Runs the channel's handlers, then confirms the receipt the sender waits for. */
  private heard(client: pg.Client, channel: string, raw: string): void {
    if (channel === RECEIPT_CHANNEL) return this.receipts.confirm(raw)
    const { receipt, payload } = openPayload(raw)
    for (const handler of this.channels.get(channel) ?? []) {
      try { handler(payload) }
      catch (error) { console.warn(`[nuxt-guard] a ${channel} notification could not be applied: ${message(error)}`) }
    }
    const pid = backendPidOf(client)
    if (receipt && pid) client.query('select pg_notify($1, $2)', [RECEIPT_CHANNEL, `${receipt} ${pid}`]).catch(() => {})
  }

  /** A query on the LISTEN connection: a dead peer that never sent a FIN shows up as no answer. */
  private beat(): void {
    const client = this.client
    if (!client || this.beating) return
    this.beating = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const silence = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no answer to a heartbeat within 5 s')), 5_000) })
    Promise.race([client.query('select 1'), silence])
      .catch(error => this.lost(client, error))
      .finally(() => { clearTimeout(timer); this.beating = false })
  }

  /** LISTENs on every subscribed channel the client does not listen on yet. */
  private async listenAll(client: pg.Client): Promise<void> {
    for (const channel of this.channels.keys()) {
      if (this.listening.has(channel)) continue
      this.listening.add(channel)
      await client.query(`listen ${quote(channel)}`)
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.closed || client !== this.client) return
    this.client = undefined
    client.end().catch(() => {})
    // A silent peer never answers the goodbye: drop the socket instead of waiting for TCP to give up.
    dropSocket(client)
    this.retry(error)
  }

  /** Schedules the next attempt; the first failure of an outage is logged, later ones only counted. */
  private retry(error: unknown): void {
    if (this.closed) return
    const firstOfOutage = this.lostAtMs === undefined
    if (firstOfOutage) {
      this.lostAtMs = Date.now()
      console.warn(`[nuxt-guard] lost the LISTEN connection to PostgreSQL (${message(error)}); this instance keeps serving, and other instances' config saves and sign-outs reach it once it reconnects (retrying with backoff, at most every ${this.backoff.maxMs} ms)`)
    }
    const attempts = firstOfOutage ? 0 : this.current.attempts + 1
    const delay = backoffDelay(attempts, this.backoff)
    const sinceMs = firstOfOutage ? this.lostAtMs! : this.current.sinceMs
    this.current = { state: 'reconnecting', sinceMs, attempts, lastError: message(error), nextAttemptAtMs: Date.now() + delay }
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.attempt(), delay)
    this.timer.unref?.()
  }
}

/** The server process of a connected client (pg keeps it from the BackendKeyData message). */
const backendPidOf = (client: pg.Client) => (client as unknown as { processID?: number }).processID ?? undefined
const dropSocket = (client: pg.Client) => (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.()
const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`
const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

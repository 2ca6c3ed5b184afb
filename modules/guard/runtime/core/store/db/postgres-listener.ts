import pg from 'pg'
import { backoffDelay, DEFAULT_BACKOFF, type Backoff, type ListenerStatus } from './listener-status'

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

  /**
   * @param config pg client settings; `application_name` defaults to `nuxt-guard listener`.
   * @param heartbeatMs how often a `select 1` checks the connection; no answer within 5 s counts as lost.
   */
  constructor(private readonly config: pg.ClientConfig, private readonly backoff: Backoff = DEFAULT_BACKOFF, private readonly heartbeatMs = 30_000) {}

  /** A copy of the connection's health; `backendPid` is the server process of the LISTEN connection. */
  status(): ListenerStatus {
    const backendPid = (this.client as unknown as { processID?: number } | undefined)?.processID ?? undefined
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
    await client?.end().catch(() => {})
  }

  private async attempt(): Promise<void> {
    if (this.closed) return
    const client = new pg.Client({ application_name: 'nuxt-guard listener', keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: 5_000, ...this.config })
    client.on('error', error => this.lost(client, error))
    client.on('end', () => this.lost(client, new Error('connection ended')))
    client.on('notification', ({ channel, payload }) => {
      for (const handler of this.channels.get(channel) ?? []) handler(payload ?? '')
    })
    try {
      await client.connect()
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
    ;(client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.()
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

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`
const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

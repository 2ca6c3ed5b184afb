/**
 * Delivery receipts for NOTIFY between instances on one PostgreSQL: a change
 * saved through instance A is announced with a receipt id, every LISTEN
 * connection that hears it answers on RECEIPT_CHANNEL once its handlers have
 * run, and A answers its own request only then (or after a bound). That is
 * what makes "the very next request, on every instance" hold even when the
 * next request reaches B before B's socket has read the notification.
 */

/** NOTIFY channel on which a listener confirms a notification: payload `<receipt> <listener backend pid>`. */
export const RECEIPT_CHANNEL = 'nuxt_guard_receipt'

/** The application_name every listener connection starts with; senders find their peers by it in pg_stat_activity. */
export const LISTENER_NAME = 'nuxt-guard listener'

/** How long a change waits for the other instances' receipts before it is answered anyway, in ms. */
export const RECEIPT_TIMEOUT_MS = 2_000

const SEALED = /^#([0-9a-f]{16}) /

/**
 * The payload as sent: `#<receipt> <payload>` when a receipt is wanted.
 *
 * @example
 * sealPayload('0f3a9c1b2d4e5f60', 'user_1 4') // '#0f3a9c1b2d4e5f60 user_1 4'
 */
export function sealPayload(receipt: string, payload: string): string {
  return `#${receipt} ${payload}`
}

/**
 * Splits a received payload into its receipt (if any) and what the handlers
 * get. A NOTIFY sent by hand (no `#<receipt> ` prefix) passes through as is.
 *
 * @example
 * openPayload('#0f3a9c1b2d4e5f60 12') // { receipt: '0f3a9c1b2d4e5f60', payload: '12' }
 * openPayload('12') // { payload: '12' }
 */
export function openPayload(raw: string): { receipt?: string; payload: string } {
  const sealed = SEALED.exec(raw)
  return sealed ? { receipt: sealed[1], payload: raw.slice(sealed[0].length) } : { payload: raw }
}

interface OpenReceipt {
  confirmed: Set<number>
  check?: () => void
}

/**
 * The sender's side: receipts opened before a NOTIFY goes out (a quick peer
 * may confirm before the sender has read its own query's answer), then
 * awaited against the listener backends that were connected when it was
 * sent. A backend that let one receipt time out is not waited for again
 * until it confirms something (a vanished host whose connection PostgreSQL
 * has not noticed yet costs one timeout, not one per change).
 *
 * @example
 * receipts.open(id)
 * const { listeners } = await sendNotify(id)
 * const late = await receipts.settle(id, listeners, 2_000) // pids that did not confirm
 */
export class NotifyReceipts {
  private readonly pending = new Map<string, OpenReceipt>()
  private readonly silent = new Set<number>()

  /** Starts collecting confirmations for `receipt`. */
  open(receipt: string): void {
    this.pending.set(receipt, { confirmed: new Set() })
  }

  /** Forgets `receipt` (its NOTIFY could not be sent). */
  discard(receipt: string): void {
    this.pending.delete(receipt)
  }

  /** A RECEIPT_CHANNEL payload arrived: `<receipt> <pid>`. Malformed payloads are ignored. */
  confirm(raw: string): void {
    const [receipt = '', pidText] = raw.split(' ')
    const pid = Number(pidText)
    if (!Number.isSafeInteger(pid) || pid <= 0) return
    this.silent.delete(pid)
    const entry = this.pending.get(receipt)
    if (!entry) return
    entry.confirmed.add(pid)
    entry.check?.()
  }

  /**
   * Resolves once every backend in `listeners` (less those known to be
   * silent) has confirmed `receipt`, or after `timeoutMs`; resolves to the
   * pids that did not confirm in time (then remembered as silent).
   */
  async settle(receipt: string, listeners: readonly number[], timeoutMs: number): Promise<number[]> {
    const entry = this.pending.get(receipt)
    if (!entry) return []
    for (const pid of this.silent) if (!listeners.includes(pid)) this.silent.delete(pid)
    const awaited = listeners.filter(pid => !this.silent.has(pid))
    const missing = () => awaited.filter(pid => !entry.confirmed.has(pid))
    try {
      if (missing().length) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs)
          entry.check = () => {
            if (missing().length) return
            clearTimeout(timer)
            resolve()
          }
        })
      }
      const late = missing()
      for (const pid of late) this.silent.add(pid)
      return late
    }
    finally {
      this.pending.delete(receipt)
    }
  }
}

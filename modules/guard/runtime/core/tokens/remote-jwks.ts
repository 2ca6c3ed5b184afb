import { createPublicKey, type JsonWebKeyInput, type KeyObject } from 'node:crypto'
import { SESSION_TOKEN_ALG } from './key-set'
import type { VerificationKeys } from './session-token'

/** How a remote key set is kept (all in milliseconds). */
export interface RemoteJwksOptions {
  /** Keys are fetched again after this long, even when every `kid` is known. @default 3_600_000 (1 h, as Clerk) */
  cacheTtlMs?: number
  /** A `kid` the cache does not know triggers at most one fetch per this long. @default 30_000 */
  minRefetchIntervalMs?: number
  /** Gives up a fetch after this long. @default 5_000 */
  timeoutMs?: number
  /** `fetch` (tests, proxies). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
  /** The clock. @default Date.now */
  now?: () => number
}

/** Why the key set could not be had: Clerk's `TokenVerificationErrorReason` words. */
export class RemoteJwksError extends Error {
  override name = 'RemoteJwksError'
  constructor(readonly reason: 'jwk-remote-failed-to-load' | 'jwk-remote-invalid', message: string, options?: { cause?: unknown }) { super(message, options) }
}

/**
 * The public keys published at a JWKS URL (GET /api/_guard/jwks.json), as
 * node:crypto KeyObjects by `kid`. Fetched on first use, again after
 * `cacheTtlMs`, and when a token names a `kid` it does not know — such
 * refetches at most once per `minRefetchIntervalMs`, so a flood of tokens
 * with made-up `kid`s costs the publisher one request per interval. Concurrent callers share one
 * fetch. A failed refresh keeps the keys it had. Only P-256 signing keys
 * (`kty: EC`, `crv: P-256`, `alg` ES256 when given) are taken.
 *
 * @example
 * const jwks = new RemoteJwks('https://app.example.com/api/_guard/jwks.json')
 * await jwks.ready()
 * verifySessionTokenNow(token, jwks, { nowMs: Date.now(), skewMs: 5000 })
 */
export class RemoteJwks implements VerificationKeys {
  private keys = new Map<string, KeyObject>()
  private fetchedAt = Number.NEGATIVE_INFINITY
  private attemptedAt = Number.NEGATIVE_INFINITY
  private refetchedForKidAt = Number.NEGATIVE_INFINITY
  private pending?: Promise<void>
  /** How many fetches were started (for tests and diagnostics). */
  fetches = 0

  constructor(readonly url: string, private readonly options: RemoteJwksOptions = {}) {}

  private get now(): number { return (this.options.now ?? Date.now)() }

  /** Loads the keys when there are none yet or they are older than `cacheTtlMs`; throws RemoteJwksError when there are none to use. */
  async ready(): Promise<void> {
    if (this.now - this.fetchedAt < (this.options.cacheTtlMs ?? 3_600_000)) return
    if (this.keys.size && this.now - this.attemptedAt < this.minRefetchIntervalMs) return
    await this.load().catch((error: unknown) => {
      if (!this.keys.size) throw error
    })
  }

  /**
   * A token named a `kid` the cache lacks: fetches again unless an unknown
   * `kid` already did less than `minRefetchIntervalMs` ago. Resolves to
   * whether the keys may have changed (a fetch happened or was under way).
   */
  async refreshForUnknownKid(): Promise<boolean> {
    if (this.pending) {
      await this.pending.catch(() => {})
      return true
    }
    if (this.now - this.refetchedForKidAt < this.minRefetchIntervalMs) return false
    this.refetchedForKidAt = this.now
    await this.load().catch(() => {})
    return true
  }

  verificationKeyObject(kid: string | undefined): KeyObject | undefined {
    return kid === undefined ? undefined : this.keys.get(kid)
  }

  private get minRefetchIntervalMs(): number { return this.options.minRefetchIntervalMs ?? 30_000 }

  private load(): Promise<void> {
    this.pending ??= this.fetchKeys().finally(() => { this.pending = undefined })
    return this.pending
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = this.now
    this.fetches++
    const fetchImpl = this.options.fetch ?? globalThis.fetch
    let body: unknown
    try {
      const response = await fetchImpl(this.url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000) })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      body = await response.json()
    }
    catch (error) {
      throw new RemoteJwksError('jwk-remote-failed-to-load', `could not load the JWKS from ${this.url}: ${(error as Error).message}`, { cause: error })
    }
    const entries = (body as { keys?: unknown } | null)?.keys
    if (!Array.isArray(entries)) throw new RemoteJwksError('jwk-remote-invalid', `${this.url} did not answer a JWKS ({ "keys": [...] })`)
    const keys = new Map<string, KeyObject>()
    for (const jwk of entries) {
      const key = importSigningJwk(jwk)
      if (key) keys.set((jwk as { kid: string }).kid, key)
    }
    this.keys = keys
    this.fetchedAt = this.attemptedAt
  }
}

/** One JWKS entry as a KeyObject when it is a P-256 signing key with a `kid`; anything else is skipped. */
function importSigningJwk(jwk: unknown): KeyObject | undefined {
  if (!jwk || typeof jwk !== 'object') return undefined
  const { kty, crv, kid, alg, use } = jwk as Record<string, unknown>
  if (kty !== 'EC' || crv !== 'P-256' || typeof kid !== 'string' || (alg !== undefined && alg !== SESSION_TOKEN_ALG) || (use !== undefined && use !== 'sig')) return undefined
  try { return createPublicKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' }) }
  catch { return undefined }
}

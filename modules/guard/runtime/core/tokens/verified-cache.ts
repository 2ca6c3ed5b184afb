/**
 * Verified tokens, kept until they expire, so a repeat request does no
 * crypto. Bounded: past `maxEntries` the oldest entry goes first.
 *
 * @example
 * const cache = new VerifiedTokenCache<SessionClaims>()
 * cache.set(token, claims, claims.exp * 1000 + skewMs)
 * cache.get(token, Date.now()) // claims, or undefined once expired
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>()

  constructor(private readonly maxEntries = 50_000) {}

  get(token: string, nowMs: number): T | undefined {
    const entry = this.entries.get(token)
    if (!entry) return undefined
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(token)
      return undefined
    }
    return entry.value
  }

  set(token: string, value: T, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    this.entries.set(token, { value, expiresAtMs })
  }

  /** Drops every entry whose value matches, e.g. all tokens of a revoked session. */
  deleteWhere(matches: (value: T) => boolean): void {
    for (const [token, entry] of this.entries) if (matches(entry.value)) this.entries.delete(token)
  }

  get size(): number { return this.entries.size }
}

/** Entries are keyed by the token's last characters (its signature), so a lookup hashes 64 characters, not the whole token. */
const KEY_LENGTH = 64

/**
 * Verified tokens, kept until they expire, so a repeat request does no
 * crypto. Bounded: past `maxEntries` the oldest entry goes first. A hit must
 * equal the stored token exactly: a shared signature tail is never enough.
 *
 * @example
 * const cache = new VerifiedTokenCache<SessionClaims>()
 * cache.set(token, claims, claims.exp * 1000 + skewMs)
 * cache.get(token, Date.now()) // claims, or undefined once expired
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { token: string; value: T; expiresAtMs: number }>()

  constructor(private readonly maxEntries = 50_000) {}

  get(token: string, nowMs: number): T | undefined {
    const key = token.slice(-KEY_LENGTH)
    const entry = this.entries.get(key)
    if (!entry || entry.token !== token) return undefined
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(token: string, value: T, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    this.entries.set(token.slice(-KEY_LENGTH), { token, value, expiresAtMs })
  }

  /** Drops every entry whose value matches, e.g. all tokens of a revoked session. */
  deleteWhere(matches: (value: T) => boolean): void {
    for (const [token, entry] of this.entries) if (matches(entry.value)) this.entries.delete(token)
  }

  get size(): number { return this.entries.size }
}

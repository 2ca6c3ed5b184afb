import type { SessionClaims } from '../policy/auth'

/** Sessions whose party is remembered at once; past it, the oldest is forgotten first. */
const MAX_REMEMBERED = 50_000

/**
 * What a session token says about where it may be used: `aud`, the module's
 * `audience` setting, and `azp`, the origin the session's tokens are issued to.
 *
 * The party is fixed when the session starts (the sign-in request's origin,
 * which `authorizedParties` must allow) and is what every refresh request
 * presents again (the session's cookies are host-only, so they only ever
 * come back from that origin). A token minted without a request at hand — a
 * session renewed after a completed factor, a fresh view of a stale one —
 * carries the party this instance last saw for the session: its sign-in or
 * refresh here, or the token the renewing request presented, which this
 * instance verified moments before. Bounded; a party it has forgotten is
 * left out, and with `authorizedParties` set that token is then refused
 * (signed out) until the next refresh stamps the request's origin again.
 *
 * @example
 * const parties = new TokenParties(['https://api.example.com'])
 * parties.stamp('sess_1', 'https://app.example.com') // { aud: 'https://api.example.com', azp: 'https://app.example.com' }
 * parties.stamp('sess_1')                            // the same: remembered
 */
export class TokenParties {
  private readonly parties = new Map<string, string>()
  private readonly aud: string | string[] | undefined

  constructor(audience: readonly string[] = []) {
    this.aud = audience.length === 0 ? undefined : audience.length === 1 ? audience[0] : [...audience]
  }

  /** Remembers the origin a session's tokens go to (a verified token's `azp`, a sign-in's origin). */
  note(sessionId: string, party: string | undefined): void {
    if (!party || this.parties.get(sessionId) === party) return
    this.parties.delete(sessionId)
    if (this.parties.size >= MAX_REMEMBERED) {
      const oldest = this.parties.keys().next()
      if (!oldest.done) this.parties.delete(oldest.value)
    }
    this.parties.set(sessionId, party)
  }

  /** `aud` and `azp` for a token of this session: `party` when the request gave one, else the remembered one. */
  stamp(sessionId: string, party?: string): Pick<SessionClaims, 'aud' | 'azp'> {
    if (party) this.note(sessionId, party)
    const azp = party ?? this.parties.get(sessionId)
    const claims: Pick<SessionClaims, 'aud' | 'azp'> = {}
    if (this.aud !== undefined) claims.aud = this.aud
    if (azp) claims.azp = azp
    return claims
  }
}

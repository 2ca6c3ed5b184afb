import type { SessionClaims } from '../policy/auth'

/**
 * What a session token says about where it may be used: `aud`, the module's
 * `audience` setting, and `azp`, the origin the session's tokens are issued
 * to (Clerk's `authorizedParties` checks it).
 *
 * The party is fixed when the session starts (the sign-in request's origin,
 * which `authorizedParties` must allow) and stored on the session row
 * (`guard_sessions.azp`), so any instance that mints for the session — a
 * refresh, a renewal after a completed factor, a fresh view of a stale token
 * — stamps the same one. A refresh request presents it again (the session's
 * cookies are host-only, so they only ever come back from that origin).
 *
 * @example
 * const parties = new TokenParties(['https://api.example.com'])
 * parties.stamp('https://app.example.com') // { aud: 'https://api.example.com', azp: 'https://app.example.com' }
 * parties.stamp(null)                      // { aud: 'https://api.example.com' }
 */
export class TokenParties {
  private readonly aud: string | string[] | undefined

  constructor(audience: readonly string[] = []) {
    this.aud = audience.length === 0 ? undefined : audience.length === 1 ? audience[0] : [...audience]
  }

  /** `aud` and `azp` for a token whose session is issued to `party` (none recorded: no `azp`). */
  stamp(party: string | null | undefined): Pick<SessionClaims, 'aud' | 'azp'> {
    const claims: Pick<SessionClaims, 'aud' | 'azp'> = {}
    if (this.aud !== undefined) claims.aud = this.aud
    if (party) claims.azp = party
    return claims
  }
}

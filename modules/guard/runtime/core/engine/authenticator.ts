import { signedInAuth, signedOutAuth, type GuardAuth, type SessionClaims } from '../policy/auth'
import { sha256 } from '../crypto/random'
import { TokenRejectedError, verifySessionToken } from '../tokens/session-token'
import { VerifiedTokenCache } from '../tokens/verified-cache'
import type { CompiledPolicy } from '../policy/compile'
import type { KeyManager } from './key-manager'
import type { LiveConfig } from './live-config'
import type { IssuedToken, SessionService } from './sessions'
import { ClaimsEpochs } from './claims-epochs'
import { checkMfaRequirements } from '../mfa/requirements'

/** The session token and refresh secret a request presents, and where the token came from. */
export interface PresentedTokens {
  /** The session token, from the cookie or `Authorization: Bearer`. */
  token?: string
  /** `bearer` tokens are never refreshed: their holder must fetch a new one. */
  tokenSource?: 'cookie' | 'bearer'
  /** The refresh secret from its HttpOnly cookie. */
  refreshToken?: string
  /**
   * The origin a token refreshed for this request is issued to (its `azp`):
   * the request's own, when `authorizedParties` allows it. Not given: the
   * party the session last had (TokenParties).
   */
  party?: string
}

export type Authentication =
  | { status: 'signed-in'; auth: GuardAuth; issued?: IssuedToken }
  | { status: 'signed-out'; auth: GuardAuth; clearCookies: boolean }
  /** The database or key set could not be reached: protected routes must answer 503. */
  | { status: 'unavailable'; auth: GuardAuth; error: unknown }

/** A verified token with the auth object built for the policy it was last used with. */
interface CachedSession { claims: SessionClaims; auth: GuardAuth; policy: CompiledPolicy }

/** Revocations are remembered locally for the longest token lifetime (ms); older ones cannot matter to any live token. */
export const REVOCATION_MEMORY_MS = 3_600_000 + 60_000

/**
 * Turns credentials into an auth object. A cached, still-valid token costs
 * one Map lookup; a new token one signature check; an expired one a refresh
 * (the only database read), shared by concurrent requests of one session.
 *
 * @example
 * const cached = authenticator.fromCache(token)
 * const result = cached ? { status: 'signed-in', auth: cached } : await authenticator.authenticate({ token, refreshToken })
 */
export class Authenticator {
  private readonly cache = new VerifiedTokenCache<CachedSession>()
  private readonly refreshing = new Map<string, Promise<IssuedToken | undefined>>()
  private readonly revoked = new Map<string, number>()
  /** When a verified token is stale: its claims were rendered before a change of the template, roles map, or its user. */
  readonly epochs: ClaimsEpochs

  constructor(
    private readonly live: LiveConfig,
    private readonly keys: KeyManager,
    private readonly sessions: SessionService,
    private readonly now: () => number,
  ) {
    this.epochs = new ClaimsEpochs(live.policy, now)
    live.onChange(policy => this.epochs.notePolicy(policy))
  }

  /** Synchronous hot path: the auth of an already verified token, or `undefined`. */
  fromCache(token: string): GuardAuth | undefined {
    const entry = this.cache.get(token, this.now())
    if (!entry || (this.revoked.size && this.revoked.has(entry.claims.sid))) return undefined
    // A newer config announced but not read yet, or claims rendered before a change: the slow path decides.
    if (this.live.behind || this.epochs.isStale(entry.claims)) return undefined
    const policy = this.live.policy
    if (entry.policy !== policy) {
      // Permissions come from the live config: rebuild once per saved version.
      entry.auth = signedInAuth(entry.claims, policy.permissionsFor(entry.claims.roles))
      entry.policy = policy
    }
    return entry.auth
  }

  async authenticate(credentials: PresentedTokens): Promise<Authentication> {
    const { token, tokenSource = 'cookie', refreshToken, party } = credentials
    if (this.live.behind) await this.live.settled()
    if (token) {
      const cached = this.fromCache(token)
      if (cached) return { status: 'signed-in', auth: cached }
      const known = this.cache.get(token, this.now())?.claims
      const claims = known && !this.revoked.has(known.sid) ? known : await this.verify(token)
      if (claims && !this.epochs.isStale(claims)) return { status: 'signed-in', auth: this.remember(token, claims) }
      if (claims) return this.renderAgain(token, claims, tokenSource === 'cookie' ? refreshToken : undefined, party)
    }
    if (tokenSource === 'bearer' || !refreshToken) return { status: 'signed-out', auth: signedOutAuth, clearCookies: Boolean(token) }
    try {
      const issued = await this.refreshOnce(refreshToken, party)
      if (!issued) return { status: 'signed-out', auth: signedOutAuth, clearCookies: true }
      return { status: 'signed-in', auth: this.remember(issued.token, issued.claims), issued }
    }
    catch (error) {
      return { status: 'unavailable', auth: signedOutAuth, error }
    }
  }

  /**
   * A valid token whose claims are stale (ClaimsEpochs): with a refresh
   * cookie, the session gets a re-minted token on this request (one read, one
   * signature; concurrent requests share it). Without one that works — a
   * `Bearer` token, or a refresh secret voided at a change of privilege —
   * the request is judged by the server's fresh view of the session, which is
   * cached against this token until it expires: the holder keeps its token,
   * `event.context.auth` and GET /session carry the new claims, and a
   * revoked session is signed out.
   */
  private async renderAgain(token: string, stale: SessionClaims, refreshToken: string | undefined, party?: string): Promise<Authentication> {
    try {
      const issued = refreshToken ? await this.refreshOnce(refreshToken, party) : undefined
      if (issued) return { status: 'signed-in', auth: this.remember(issued.token, issued.claims), issued }
      const fresh = await this.freshViewOnce(stale.sid)
      if (!fresh || fresh.claims.sub !== stale.sub) return { status: 'signed-out', auth: signedOutAuth, clearCookies: true }
      // Judged as the token it presents: its times, second factors, audience and party.
      return { status: 'signed-in', auth: this.remember(token, { ...fresh.claims, iat: stale.iat, nbf: stale.nbf, exp: stale.exp, aud: stale.aud, azp: stale.azp, ...this.tokenFactors(fresh.claims, stale) }) }
    }
    catch (error) {
      return { status: 'unavailable', auth: signedOutAuth, error }
    }
  }

  /**
   * The second factors a fresh view may show: only those the stale token
   * itself carried (and its session still has). A factor completed after the
   * token was minted renewed the session (new refresh secret and token for
   * whoever completed it), so a copy of the older token never gains it.
   */
  private tokenFactors(fresh: SessionClaims, stale: SessionClaims): Pick<SessionClaims, 'mfa' | 'fva'> {
    if (!fresh.mfa) return { fva: stale.fva }
    const carried = stale.mfa?.c ?? {}
    const c = Object.fromEntries(Object.entries(carried).filter(([factor]) => fresh.mfa!.c[factor] !== undefined))
    const { mfa } = this.live.policy.config
    return { mfa: { ...fresh.mfa, c, v: checkMfaRequirements(mfa.requirements, c, mfa.strategies).satisfied }, fva: stale.fva }
  }

  private freshViewOnce(sessionId: string): Promise<IssuedToken | undefined> {
    const key = `sid:${sessionId}`
    let pending = this.refreshing.get(key)
    if (!pending) {
      pending = this.sessions.reissue(sessionId).finally(() => this.refreshing.delete(key))
      this.refreshing.set(key, pending)
    }
    return pending
  }

  /** Puts a token we just minted or verified into the cache and returns its auth. */
  remember(token: string, claims: SessionClaims): GuardAuth {
    const policy = this.live.policy
    const auth = signedInAuth(claims, policy.permissionsFor(claims.roles))
    this.cache.set(token, { claims, auth, policy }, claims.exp * 1000 + policy.config.session.clockSkewMs)
    return auth
  }

  /** Stops every cached token of a session at once (this instance). */
  revokeLocally(sessionId: string): void {
    const nowMs = this.now()
    for (const [sid, until] of this.revoked) if (until <= nowMs) this.revoked.delete(sid)
    this.revoked.set(sessionId, nowMs + REVOCATION_MEMORY_MS)
    this.cache.deleteWhere(entry => entry.claims.sid === sessionId)
  }

  private async verify(token: string, retried = false): Promise<SessionClaims | undefined> {
    try {
      const claims = await verifySessionToken(token, this.keys.keySet, { nowMs: this.now(), skewMs: this.live.policy.config.session.clockSkewMs })
      return this.revoked.has(claims.sid) ? undefined : claims
    }
    catch (error) {
      if (error instanceof TokenRejectedError && error.code === 'unknown_key' && !retried && await this.keys.reloadForUnknownKid().catch(() => false)) {
        return this.verify(token, true)
      }
      return undefined
    }
  }

  private refreshOnce(refreshToken: string, party?: string): Promise<IssuedToken | undefined> {
    const key = sha256(refreshToken)
    let pending = this.refreshing.get(key)
    if (!pending) {
      pending = this.sessions.refresh(refreshToken, party).finally(() => this.refreshing.delete(key))
      this.refreshing.set(key, pending)
    }
    return pending
  }
}

import { decodeJwt } from 'jose'
import { decoyPasswordHash, hashPassword, verifyPassword } from '../crypto/password'
import { newId, randomToken, sha256 } from '../crypto/random'
import { renderClaims } from '../claims/template'
import { GuardError } from '../errors'
import { fitClaims } from '../claims/limit'
import type { ClaimsOrganization, ClaimsUser } from '../claims/shortcodes'
import type { FactorId } from '../config/schema'
import { checkMfaRequirements, lastSecondFactorAt } from '../mfa/requirements'
import { enrolledFactorTypes } from '../store/factors'
import type { SessionClaims } from '../policy/auth'
import type { CompiledPolicy } from '../policy/compile'
import type { GuardDatabase } from '../store/db/database'
import { createUser, findUserByEmail, findUserById, type UserRecord } from '../store/users'
import { findLiveSession, insertSession, refreshSession, revokeSession, rotateRefreshHash, voidUserRefreshSecrets, type SessionRecord } from '../store/sessions'
import { writeAudit } from '../store/audit'
import { mintSessionToken } from '../tokens/session-token'
import type { KeyManager } from './key-manager'
import type { LiveConfig } from './live-config'
import type { SignInInput } from './credentials'
import type { SignInThrottle } from './sign-in-throttle'
import { TokenParties } from './token-parties'
import { isUserDisabled, userDisabledError } from '../people/status'
import { claimsOrganization, mintedOrganization, orgTokenClaims } from '../organizations/claims'

/**
 * A freshly minted session token with its decoded claims; after a change of
 * privilege also the session's new refresh secret (the old one no longer
 * refreshes), which the caller must put in the refresh cookie.
 */
export interface IssuedToken { token: string; claims: SessionClaims; refreshToken?: string; expiresAt?: Date }

/** A session renewed at a change of privilege: a new token and a new refresh secret. */
export interface RenewedSession extends IssuedToken { refreshToken: string; expiresAt: Date }

/** A new session: the token, plus the refresh secret that only the cookie ever holds. */
export interface IssuedSession extends IssuedToken {
  user: UserRecord
  sessionId: string
  refreshToken: string
  expiresAt: Date
}

export interface RequestOrigin {
  /** The client address: `clientAddress(event)`, forwarded only behind a trusted proxy. */
  ip?: string
  userAgent?: string
  /** Known-device tokens the client showed (sign-in throttling); never stored. */
  knownDevices?: readonly string[]
  /** The origin the session's tokens are issued to (their `azp`): the sign-in request's, already checked against `authorizedParties`. */
  party?: string
}

/** Email or password did not match; deliberately the same for both: 401 `invalid_credentials`. */
export class InvalidCredentialsError extends GuardError {
  constructor() { super('invalid_credentials') }
}

/**
 * The view of a user the claims template renders against, with the
 * session's active organization for the `{{org.*}}` shortcodes (none: they render null).
 *
 * @example
 * renderClaims(template, toClaimsUser(user, policy, await enrolledFactorTypes(db, user.id)))
 */
export function toClaimsUser(user: UserRecord, policy: CompiledPolicy, enrolled: readonly FactorId[] = [], org: ClaimsOrganization | null = null): ClaimsUser {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    created_at: Math.floor(user.createdAt.getTime() / 1000),
    roles: user.roles,
    permissions: [...policy.permissionsFor(user.roles)],
    two_factor_enabled: enrolled.some(factor => factor !== 'recovery_code'),
    public_metadata: user.publicMetadata,
    org,
  }
}

/**
 * Sign-up, sign-in, sign-out and token refresh over server-side sessions.
 *
 * @example
 * const sessions = new SessionService(db, live, keys, Date.now)
 * const issued = await sessions.signIn({ email, password }, { ip })
 */
export class SessionService {
  constructor(
    private readonly db: GuardDatabase,
    private readonly live: LiveConfig,
    private readonly keys: KeyManager,
    private readonly now: () => number,
    /** Password sign-ins go through it when given (createGuard always gives one). */
    private readonly throttle?: SignInThrottle,
    /** `aud` and `azp` of the tokens it mints (the `audience` setting; each session's origin). */
    readonly parties: TokenParties = new TokenParties(),
  ) {}

  async signUp(credentials: SignInInput, origin: RequestOrigin = {}): Promise<IssuedSession> {
    const user = await createUser(this.db, { id: newId('user'), email: credentials.email, passwordHash: await hashPassword(credentials.password) })
    await writeAudit(this.db, { actorId: user.id, action: 'user.sign_up', target: user.id, after: { email: user.email, roles: user.roles }, ip: origin.ip })
    return this.startSession(user, origin)
  }

  /** Signs in with a password, throttled per account and per client (SignInThrottle): may throw SignInThrottledError. */
  async signIn(credentials: SignInInput, origin: RequestOrigin = {}): Promise<IssuedSession> {
    const { knownDevices, ...sessionOrigin } = origin
    const check = async () => {
      const user = await findUserByEmail(this.db, credentials.email)
      const matches = await verifyPassword(credentials.password, user?.passwordHash ?? await decoyPasswordHash())
      if (!user || !matches) throw new InvalidCredentialsError()
      // Said only after the right password, so it never tells a stranger the address has an account.
      if (isUserDisabled(user, new Date(this.now()))) throw userDisabledError(user)
      return this.startSession(user, sessionOrigin)
    }
    if (!this.throttle) return check()
    return this.throttle.attempt(credentials.email, { ip: origin.ip, knownDevices }, check, error => error instanceof InvalidCredentialsError)
  }

  /** Ends a session; its tokens stop refreshing at once. */
  signOut(sessionId: string): Promise<boolean> {
    return revokeSession(this.db, sessionId, new Date(this.now()))
  }

  /** Mints a new token for the live session behind a refresh secret (for `party`, the refreshing request's origin), or `undefined` when it is gone. */
  async refresh(refreshToken: string, party?: string): Promise<IssuedToken | undefined> {
    const found = await refreshSession(this.db, sha256(refreshToken), new Date(this.now()))
    return found && !this.disabled(found.user) ? this.mint(found.session, found.user, party) : undefined
  }

  /** Mints a new token for a live session at once (after it completed a factor); `undefined` when it is gone. */
  async reissue(sessionId: string): Promise<IssuedToken | undefined> {
    const session = await findLiveSession(this.db, sessionId, new Date(this.now()))
    const user = session && await findUserById(this.db, session.userId)
    return user && !this.disabled(user) ? this.mint(session, user) : undefined
  }

  /**
   * Renews a live session at a change of privilege (a completed factor, step-up
   * included): a new refresh secret replaces the old one on the session row, so
   * cookies copied before the change never refresh again, and a new token is
   * minted. `undefined` when the session is gone.
   *
   * @example
   * const renewed = await sessions.renew(sessionId) // write both cookies
   */
  async renew(sessionId: string): Promise<RenewedSession | undefined> {
    const refreshToken = randomToken()
    const session = await rotateRefreshHash(this.db, sessionId, sha256(refreshToken), new Date(this.now()))
    const user = session && await findUserById(this.db, session.userId)
    if (!user || this.disabled(user)) return undefined
    return { ...(await this.mint(session, user)), refreshToken, expiresAt: session.expiresAt }
  }

  /**
   * After a change of a user's privileges made elsewhere (an admin changed the
   * roles): no refresh secret issued before the change refreshes again, so a
   * copied one cannot mint a token with the new privileges. The session making
   * the request (`currentSessionId`, when it is the user's own) is renewed and
   * returned for its cookies; the user's other sessions end when their
   * current tokens expire (they sign in again).
   *
   * @example
   * const renewed = await sessions.renewAfterPrivilegeChange(user.id, auth.sessionId)
   * if (renewed) writeCookies(renewed)
   */
  async renewAfterPrivilegeChange(userId: string, currentSessionId?: string): Promise<RenewedSession | undefined> {
    const current = currentSessionId ? await findLiveSession(this.db, currentSessionId, new Date(this.now())) : undefined
    const own = current?.userId === userId ? current.id : undefined
    await voidUserRefreshSecrets(this.db, userId, randomToken(), new Date(this.now()), own)
    return own ? this.renew(own) : undefined
  }

  /**
   * Signs a token for a session with the live claims template and key. The
   * `mfa` claim is computed here, from the live config and the user's
   * factors, so a session minted before MFA was switched on gets it on its
   * next refresh. Never fails on the user's data: custom claims that would
   * take the rendering over the size limit (data changed behind the checks
   * at save time) are left out, named in `omitted_claims`, and logged.
   * The session's active organization (read with the session: no query of
   * its own) gives Clerk's `org_id`, `org_slug`, `org_role` and
   * `org_permissions` and the template's `{{org.*}}`.
   */
  async mint(session: SessionRecord, user: UserRecord, party?: string): Promise<IssuedToken> {
    // Belt and braces: callers refuse a disabled account first (refresh, reissue, renew answer undefined).
    if (this.disabled(user)) throw userDisabledError(user)
    const policy = this.live.policy
    const enrolled = await enrolledFactorTypes(this.db, user.id)
    const org = mintedOrganization(session.activeOrg, policy.config.organizations)
    const { claims: custom, omitted } = fitClaims(renderClaims(policy.config.claims.template, toClaimsUser(user, policy, enrolled, claimsOrganization(org))))
    if (omitted.length) {
      console.warn(`[nuxt-guard] the session-token claims for user ${user.id} are over the size limit; minted without ${omitted.map(claim => `"${claim}"`).join(', ')} (shorten the template or the user's metadata)`)
    }
    const nowSeconds = Math.floor(this.now() / 1000)
    const ageMinutes = (since: number) => Math.max(0, Math.floor((nowSeconds - since) / 60))
    const completed = session.factors
    const { mfa } = policy.config
    const last = lastSecondFactorAt(completed)
    const token = await mintSessionToken(
      await this.keys.signingKey(),
      {
        sub: user.id,
        sid: session.id,
        roles: user.roles,
        mfa: { c: completed, v: checkMfaRequirements(mfa.requirements, completed, mfa.strategies).satisfied, e: enrolled },
        fva: [ageMinutes(session.createdAt.getTime() / 1000), last === undefined ? -1 : ageMinutes(last)],
        // What these claims were rendered from (ClaimsEpochs): a later change of either makes the token stale.
        cep: [policy.version, user.claimsEpoch ?? 0],
        // Where it may be used: the `audience` setting, and the session's origin (TokenParties): the request's, else the one stored at sign-in.
        ...this.parties.stamp(party ?? session.party),
        // Reserved, never from the template: the emailVerified checks are decided from the token alone.
        email_verified: user.emailVerified,
        // Reserved too: the organization rules and has() read them.
        ...orgTokenClaims(org, policy.config.organizations),
      },
      custom,
      { nowSeconds, ttlSeconds: policy.config.session.tokenTtlSeconds },
    )
    return { token, claims: decodeJwt(token) as SessionClaims }
  }

  /** Whether an admin disabled the user's account (and its end, if any, has not passed). */
  private disabled(user: UserRecord): boolean {
    return isUserDisabled(user, new Date(this.now()))
  }

  /**
   * Opens a new session for a user who has just proved who they are some
   * other way than a password sign-in (an accepted invitation): a refresh
   * secret, a token. Password sign-ins go through `signIn`.
   *
   * @example
   * const issued = await sessions.startSession(user, { ip, userAgent })
   */
  async startSession(user: UserRecord, origin: RequestOrigin): Promise<IssuedSession> {
    const refreshToken = randomToken()
    const createdAt = new Date(this.now())
    const expiresAt = new Date(createdAt.getTime() + this.live.policy.config.session.sessionTtlDays * 86_400_000)
    const session: SessionRecord = { id: newId('sess'), userId: user.id, createdAt, expiresAt, factors: {}, party: origin.party ?? null }
    await insertSession(this.db, { id: session.id, userId: user.id, refreshHash: sha256(refreshToken), createdAt, expiresAt, ...origin })
    return { ...(await this.mint(session, user, origin.party)), user, sessionId: session.id, refreshToken, expiresAt }
  }
}

import type { FactorId } from '../config/schema'
import type { CompletedFactors } from '../mfa/requirements'

/**
 * The claims your claims template renders, for typing: empty here, declared
 * by the app so that `sessionClaims.isMfa` has the type the app says.
 *
 * @example
 * // types/guard.d.ts in your app
 * declare module 'nuxt-guard' {
 *   interface GuardSessionClaims { isMfa: boolean; plan?: string }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GuardSessionClaims {}

/** The payload of a nuxt-guard session token: the registered claims plus the template's (`GuardSessionClaims`). */
export interface SessionClaims extends GuardSessionClaims {
  sub: string
  sid: string
  iss: string
  iat: number
  exp: number
  nbf?: number
  /** The user's roles; permissions are derived from the live config. */
  roles: string[]
  /** MFA state: completed factors with their times, the verdict when minted, enrolled factors. */
  mfa?: { c: CompletedFactors; v: boolean; e: FactorId[] }
  /** [first factor age, second factor age] in minutes at mint time; -1 = never. */
  fva?: [number, number]
  /** What the claims were rendered from: [config version, the user's claims epoch]; older than the live ones = stale, re-minted. */
  cep?: [number, number]
  /** Authorized party (OIDC Core §2): the origin the token was issued to, such as `https://app.example.com`; checked against `authorizedParties`. */
  azp?: string
  /** Audience (RFC 7519 §4.1.3): the module's `audience` setting when one is set; checked against it. */
  aud?: string | string[]
  /**
   * Whether the user's email address is verified (OIDC Core §5.1 `email_verified`), as of minting;
   * reserved: the claims template cannot set it. Absent (a token minted before it existed) = not verified.
   */
  email_verified?: boolean
  [claim: string]: unknown
}

/** What `has()` can ask. */
export type AuthCheck = { role: string } | { permission: string }

/** `event.context.auth`: who is asking, with a `has()` helper. */
export interface GuardAuth {
  userId: string | null
  sessionId: string | null
  sessionClaims: SessionClaims | null
  roles: readonly string[]
  permissions: ReadonlySet<string>
  has(check: AuthCheck): boolean
}

const NO_PERMISSIONS: ReadonlySet<string> = new Set()

class Auth implements GuardAuth {
  constructor(
    readonly userId: string | null,
    readonly sessionId: string | null,
    readonly sessionClaims: SessionClaims | null,
    readonly roles: readonly string[],
    readonly permissions: ReadonlySet<string>,
  ) {}

  has(check: AuthCheck): boolean {
    if (!this.userId) return false
    return 'role' in check ? this.roles.includes(check.role) : this.permissions.has(check.permission)
  }
}

/**
 * The auth object of a request nobody is signed in to.
 *
 * @example
 * signedOutAuth.has({ role: 'admin' }) // false
 */
export const signedOutAuth: GuardAuth = Object.freeze(new Auth(null, null, null, [], NO_PERMISSIONS))

/**
 * Builds the auth object of a verified session token.
 *
 * @example
 * const auth = signedInAuth(claims, policy.permissionsFor(claims.roles))
 * auth.has({ permission: 'reports:read' })
 */
export function signedInAuth(claims: SessionClaims, permissions: ReadonlySet<string>): GuardAuth {
  return new Auth(claims.sub, claims.sid, claims, claims.roles, permissions)
}

import { hasCheck, type AuthCheck } from './has'
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
  /**
   * The session's active organization (Clerk's session-token claims, v1 names), as of minting;
   * reserved: the claims template cannot set them. All four absent = no active organization.
   */
  org_id?: string
  /** The active organization's slug. */
  org_slug?: string
  /** The user's role in it, such as `org:admin`. */
  org_role?: string
  /** That role's permissions in the config's `organizations.roles`, such as `org:sys_memberships:manage`. */
  org_permissions?: string[]
  [claim: string]: unknown
}

export type { AuthCheck } from './has'

/** `event.context.auth`: who is asking, with a `has()` helper. */
export interface GuardAuth {
  userId: string | null
  sessionId: string | null
  sessionClaims: SessionClaims | null
  roles: readonly string[]
  permissions: ReadonlySet<string>
  /** The session's active organization (`org_id`), or null (Clerk's `orgId`). */
  orgId: string | null
  /** Its slug (`org_slug`), or null. */
  orgSlug: string | null
  /** The user's role in it (`org_role`, such as `org:admin`), or null. */
  orgRole: string | null
  /** That role's permissions (`org_permissions`); empty without an active organization. */
  orgPermissions: readonly string[]
  /**
   * `{ role }` or `{ permission }`: an `org:` name is checked against the
   * active organization, any other against the user's roles and their permissions.
   *
   * @example
   * auth.has({ permission: 'org:sys_memberships:manage' }) // the active organization's role grants it
   * auth.has({ role: 'admin' })                            // a site role
   */
  has(check: AuthCheck): boolean
}

const NO_PERMISSIONS: ReadonlySet<string> = new Set()
const NO_ORG_PERMISSIONS: readonly string[] = Object.freeze([])

export { ORG_NAME_PREFIX, isOrgName } from './has'

class Auth implements GuardAuth {
  readonly orgId: string | null
  readonly orgSlug: string | null
  readonly orgRole: string | null
  readonly orgPermissions: readonly string[]

  constructor(
    readonly userId: string | null,
    readonly sessionId: string | null,
    readonly sessionClaims: SessionClaims | null,
    readonly roles: readonly string[],
    readonly permissions: ReadonlySet<string>,
  ) {
    const org = sessionClaims && typeof sessionClaims.org_id === 'string' && typeof sessionClaims.org_role === 'string' ? sessionClaims : undefined
    this.orgId = org ? org.org_id! : null
    this.orgSlug = org && typeof org.org_slug === 'string' ? org.org_slug : null
    this.orgRole = org ? org.org_role! : null
    this.orgPermissions = org && Array.isArray(org.org_permissions) ? org.org_permissions.filter(p => typeof p === 'string') : NO_ORG_PERMISSIONS
  }

  has(check: AuthCheck): boolean {
    return this.userId !== null && hasCheck(this, check)
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

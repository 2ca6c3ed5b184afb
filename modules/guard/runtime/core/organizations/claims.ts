import type { ClaimsOrganization } from '../claims/shortcodes'
import type { GuardConfig } from '../config/schema'
import type { SessionActiveOrg } from '../store/sessions'
import type { ActiveOrgClaims } from './active'
import { orgPermissionsOf } from './roles'

/** The names of the session-token claims about the active organization (Clerk's v1 names), reserved from the claims template. */
export const ORG_CLAIM_NAMES = ['org_id', 'org_slug', 'org_role', 'org_permissions'] as const

/**
 * The active organization a token is minted with: the one read with the
 * session (`SessionRecord.activeOrg`), while organizations are switched on;
 * `undefined` otherwise (switched off, none chosen, no longer a member).
 *
 * @example
 * const org = mintedOrganization(session.activeOrg, policy.config.organizations)
 */
export function mintedOrganization(active: SessionActiveOrg | null | undefined, organizations: GuardConfig['organizations']): SessionActiveOrg | undefined {
  return organizations.enabled && active ? active : undefined
}

/**
 * Clerk's session-token claims for an active organization: `org_id`,
 * `org_slug`, `org_role`, and `org_permissions` = the role's permissions in
 * the live config's `organizations.roles` (none for a role the config no
 * longer has). `{}` without one, so the token carries none of the four.
 *
 * @example
 * orgTokenClaims({ id: 'org_1', slug: 'acme', role: 'org:admin', publicMetadata: {} }, config.organizations)
 * // { org_id: 'org_1', org_slug: 'acme', org_role: 'org:admin', org_permissions: ['org:sys_profile:manage', …] }
 */
export function orgTokenClaims(org: SessionActiveOrg | undefined, organizations: GuardConfig['organizations']): ActiveOrgClaims | Record<string, never> {
  if (!org) return {}
  return { org_id: org.id, org_slug: org.slug, org_role: org.role, org_permissions: orgPermissionsOf(organizations.roles, org.role) }
}

/**
 * The active organization as the claims template reads it (`{{org.id}}`,
 * `{{org.slug}}`, `{{org.role}}`, `{{org.public_metadata.*}}`); null without one.
 *
 * @example
 * toClaimsUser(user, policy, enrolled, claimsOrganization(org))
 */
export function claimsOrganization(org: SessionActiveOrg | undefined): ClaimsOrganization | null {
  return org ? { id: org.id, slug: org.slug, role: org.role, public_metadata: org.publicMetadata } : null
}

import type { GuardConfig } from '../config/schema'
import type { Guard } from '../engine/create-guard'
import type { SqlExecutor } from '../store/db/database'
import { findOrgMembership, type OrgMembershipRecord } from '../store/org-memberships'
import { findOrganization, type OrganizationRecord } from '../store/organizations'
import { OrganizationError } from './errors'
import { orgPermissionsOf, type OrgSystemPermission } from './roles'

/** Who asks: the signed-in user, and the client address for the audit log. */
export interface OrgActor { userId: string; ip?: string }

/** A member's standing in one organization: the organization, their membership, their permissions now. */
export interface OrgStanding { organization: OrganizationRecord; membership: OrgMembershipRecord; permissions: string[] }

/**
 * The live config's organizations section, or 403 `organizations_disabled`.
 *
 * @example
 * const { roles, invitationTtlHours } = organizationsConfig(guard)
 */
export function organizationsConfig(guard: Guard): GuardConfig['organizations'] {
  const section = guard.live.policy.config.organizations
  if (!section.enabled) throw new OrganizationError('organizations_disabled')
  return section
}

/**
 * The caller's standing in an organization, read through `db` (a
 * transaction after `lockOrganization`, for a change), or 403 `not_a_member`
 * — also for an organization that does not exist.
 *
 * @example
 * const { organization, membership, permissions } = await requireOrgMember(guard, orgId, actor.userId)
 */
export async function requireOrgMember(guard: Guard, orgId: string, userId: string, db: SqlExecutor = guard.db): Promise<OrgStanding> {
  const section = organizationsConfig(guard)
  // One after the other: `db` may be a transaction, which runs one statement at a time.
  const membership = await findOrgMembership(db, orgId, userId)
  const organization = membership && await findOrganization(db, orgId)
  if (!organization || !membership) throw new OrganizationError('not_a_member')
  return { organization, membership, permissions: orgPermissionsOf(section.roles, membership.role) }
}

/**
 * The caller's standing, when their org role grants `permission` (from the
 * live config's `organizations.roles`); else 403 `org_permission_required`
 * naming it (403 `not_a_member` for a non-member).
 *
 * @example
 * await requireOrgPermission(guard, orgId, actor.userId, 'org:sys_memberships:manage')
 */
export async function requireOrgPermission(guard: Guard, orgId: string, userId: string, permission: OrgSystemPermission, db: SqlExecutor = guard.db): Promise<OrgStanding> {
  const standing = await requireOrgMember(guard, orgId, userId, db)
  if (!standing.permissions.includes(permission)) {
    throw new OrganizationError('org_permission_required', `Your role in this organization (${standing.membership.role}) does not include ${permission}; ask one of its admins.`, { permission })
  }
  return standing
}

/**
 * A role the live config defines, or 422 `invalid_request` naming `role`.
 *
 * @example
 * assertKnownOrgRole(guard, body.role)
 */
export function assertKnownOrgRole(guard: Guard, role: string): void {
  const { roles } = organizationsConfig(guard)
  if (!Object.hasOwn(roles, role)) {
    throw new OrganizationError('invalid_request', `role: unknown organization role "${role}"; use one of ${Object.keys(roles).join(', ')}`, { field: 'role' })
  }
}

/**
 * Tells every instance that what these users' tokens carry changed (their
 * organization, role or its slug): each of their sessions is re-minted at
 * its next request. Call after the change is committed.
 *
 * @example
 * await orgClaimsChanged(guard, [removedUserId])
 */
export async function orgClaimsChanged(guard: Guard, userIds: Iterable<string>): Promise<void> {
  for (const userId of new Set(userIds)) await guard.claimsChanged(userId)
}

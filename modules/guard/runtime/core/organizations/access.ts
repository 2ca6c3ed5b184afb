import type { GuardConfig } from '../config/schema'
import type { Guard } from '../engine/create-guard'
import type { SqlExecutor } from '../store/db/database'
import { findOrgMembership, type OrgMembershipRecord } from '../store/org-memberships'
import { findOrganization, type OrganizationRecord } from '../store/organizations'
import { OrganizationError } from './errors'
import { orgPermissionsOf, type OrgSystemPermission } from './roles'

/**
 * Who asks: the signed-in user, and the client address for the audit log.
 * `kind: 'operator'` is a console administrator acting on any organization
 * (the admin API checked the console's admin role before building it): the
 * membership and org permission checks are skipped, every other rule (the
 * last org:admin, known roles, audit, re-minting) holds. Absent: a member.
 */
export interface OrgActor { userId: string; ip?: string; kind?: 'member' | 'operator' }

/** A member's standing in one organization: the organization, their membership, their permissions now. */
export interface OrgStanding { organization: OrganizationRecord; membership: OrgMembershipRecord; permissions: string[] }

/** What an actor may act on: the organization, and their own membership of it when they have one (an operator may not). */
export interface OrgAccess { organization: OrganizationRecord; membership: OrgMembershipRecord | undefined }

/** Whether the actor is a console operator (see {@link OrgActor}). */
export const isOperator = (actor: OrgActor): boolean => actor.kind === 'operator'

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

/** Managing the members includes seeing them: `org:sys_memberships:manage` grants `…:read` too. */
const IMPLIED_BY: Partial<Record<string, string>> = { 'org:sys_memberships:read': 'org:sys_memberships:manage' }
const grants = (held: readonly string[], permission: string) => held.includes(permission) || (IMPLIED_BY[permission] !== undefined && held.includes(IMPLIED_BY[permission]!))

/**
 * The caller's standing, when their org role grants `permission` (managing
 * the members implies reading them) (from the
 * live config's `organizations.roles`); else 403 `org_permission_required`
 * naming it (403 `not_a_member` for a non-member).
 *
 * @example
 * await requireOrgPermission(guard, orgId, actor.userId, 'org:sys_memberships:manage')
 */
export async function requireOrgPermission(guard: Guard, orgId: string, userId: string, permission: OrgSystemPermission, db: SqlExecutor = guard.db): Promise<OrgStanding> {
  const standing = await requireOrgMember(guard, orgId, userId, db)
  if (!grants(standing.permissions, permission)) {
    throw new OrganizationError('org_permission_required', `Your role in this organization (${standing.membership.role}) does not include ${permission}; ask one of its admins.`, { permission })
  }
  return standing
}

/**
 * The live config's organizations section as `actor` may use it: for an
 * operator whether or not organizations are switched on (the console manages
 * them either way), for a member only when they are (403 `organizations_disabled`).
 *
 * @example
 * const { roles } = organizationsSectionFor(guard, { userId, kind: 'operator' })
 */
export function organizationsSectionFor(guard: Guard, actor: OrgActor): GuardConfig['organizations'] {
  return isOperator(actor) ? guard.live.policy.config.organizations : organizationsConfig(guard)
}

/**
 * The organization `actor` acts on, read through `db` (a transaction after
 * `lockOrganization`, for a change). A member needs `permission` in it
 * ({@link requireOrgPermission}: 403 `not_a_member`, 403
 * `org_permission_required`); an operator needs none, and an unknown id is
 * 404 `organization_not_found` (operators list every organization, so there
 * is nothing to hide).
 *
 * @example
 * const { organization } = await requireOrgAccess(guard, orgId, actor, 'org:sys_memberships:manage', tx)
 */
export async function requireOrgAccess(guard: Guard, orgId: string, actor: OrgActor, permission: OrgSystemPermission, db: SqlExecutor = guard.db): Promise<OrgAccess> {
  if (!isOperator(actor)) return requireOrgPermission(guard, orgId, actor.userId, permission, db)
  const organization = await findOrganization(db, orgId)
  if (!organization) throw new OrganizationError('organization_not_found')
  return { organization, membership: await findOrgMembership(db, orgId, actor.userId) }
}

/**
 * A role the live config defines, or 422 `invalid_request` naming `role`.
 * `roles` defaults to the live config's (403 `organizations_disabled` when switched off).
 *
 * @example
 * assertKnownOrgRole(guard, body.role)
 * assertKnownOrgRole(guard, body.role, organizationsSectionFor(guard, actor).roles)
 */
export function assertKnownOrgRole(guard: Guard, role: string, roles: Readonly<Record<string, readonly string[]>> = organizationsConfig(guard).roles): void {
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

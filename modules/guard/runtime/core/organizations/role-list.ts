import type { Guard } from '../engine/create-guard'
import { requireOrgMember } from './access'

/** One organization role as a member sees it: Clerk's `RoleResource` `key` and its `permissions`. */
export interface OrgRoleView {
  /** `org:admin`, `org:member`, or a custom `org:<role>`. */
  key: string
  /** What the role may do (`org:<feature>:<action>`), from the live config's `organizations.roles`. */
  permissions: string[]
}

/**
 * The roles a member of `orgId` may be given, in the live config's order
 * (`organizations.roles`): what the organization page offers when inviting or
 * changing a member's role (Clerk's `organization.getRoles()`). Any member may
 * read them; 403 `not_a_member` (also for an unknown id), 403
 * `organizations_disabled` when switched off.
 *
 * @example
 * await listOrgRoles(guard, orgId, userId)
 * // [{ key: 'org:admin', permissions: ['org:sys_profile:manage', …] }, { key: 'org:member', permissions: ['org:sys_memberships:read'] }]
 */
export async function listOrgRoles(guard: Guard, orgId: string, userId: string): Promise<OrgRoleView[]> {
  await requireOrgMember(guard, orgId, userId)
  return Object.entries(guard.live.policy.config.organizations.roles).map(([key, permissions]) => ({ key, permissions: [...permissions] }))
}

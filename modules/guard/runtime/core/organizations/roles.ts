/**
 * Organization roles and permissions, named as Clerk names them: roles
 * `org:<role>`, permissions `org:<feature>:<action>`, the system permissions
 * `org:sys_*` that the guard itself checks. The config's
 * `organizations.roles` maps each role to its permissions; `org:admin` and
 * `org:member` are built in and cannot be deleted.
 */

/** The role of an organization's creator, and the one an organization must always keep a holder of. */
export const ORG_ADMIN_ROLE = 'org:admin'
/** The role an invitation gives unless it names another. */
export const ORG_MEMBER_ROLE = 'org:member'
/** Roles every config has. */
export const BUILT_IN_ORG_ROLES = [ORG_ADMIN_ROLE, ORG_MEMBER_ROLE] as const

/**
 * The system permissions (Clerk's `org:sys_*` that this guard enforces):
 * - `org:sys_profile:manage`: rename the organization, change its slug;
 * - `org:sys_profile:delete`: delete the organization;
 * - `org:sys_memberships:read`: list the members;
 * - `org:sys_memberships:manage`: invite, revoke invitations, change roles, remove members.
 */
export const ORG_SYSTEM_PERMISSIONS = {
  profileManage: 'org:sys_profile:manage',
  profileDelete: 'org:sys_profile:delete',
  membershipsRead: 'org:sys_memberships:read',
  membershipsManage: 'org:sys_memberships:manage',
} as const
export type OrgSystemPermission = (typeof ORG_SYSTEM_PERMISSIONS)[keyof typeof ORG_SYSTEM_PERMISSIONS]
/**
 * Clerk's other system permissions, for features this guard does not have
 * (verified domains): a role may hold them, and rules or `has()` may ask for
 * them (such as `org:sys_domains:manage` guarding an app's own domain
 * settings), but the guard itself checks nothing with them.
 */
export const CLERK_ONLY_SYSTEM_PERMISSIONS = ['org:sys_domains:read', 'org:sys_domains:manage'] as const
const SYSTEM = new Set<string>([...Object.values(ORG_SYSTEM_PERMISSIONS), ...CLERK_ONLY_SYSTEM_PERMISSIONS])

/** `org:` and one lower-case segment: `org:admin`, `org:billing_manager`. */
export const ORG_ROLE_PATTERN = /^org:[a-z0-9][a-z0-9_-]{0,63}$/
/** `org:` and at least two lower-case segments: `org:invoices:read`, `org:sys_memberships:manage`. */
export const ORG_PERMISSION_PATTERN = /^org:[a-z0-9][a-z0-9_-]*(?::[a-z0-9][a-z0-9_-]*)+$/

/**
 * The roles map of a config that names none: admins hold every system
 * permission, members may list the members. A new copy on every call.
 *
 * @example
 * defaultOrgRoles()['org:member'] // ['org:sys_memberships:read']
 */
export function defaultOrgRoles(): Record<string, string[]> {
  return {
    [ORG_ADMIN_ROLE]: Object.values(ORG_SYSTEM_PERMISSIONS),
    [ORG_MEMBER_ROLE]: [ORG_SYSTEM_PERMISSIONS.membershipsRead],
  }
}

/** One problem in `organizations.roles`: the path below it and what to do. */
export interface OrgRolesIssue { path: string[]; message: string }

/**
 * Checks a roles map beyond its shape: role names are `org:<role>`, the built-in roles are there,
 * `org:sys_*` names only the system permissions, and `org:admin` keeps
 * `org:sys_memberships:manage` (every organization keeps an org:admin, so
 * someone can always manage its members).
 *
 * @example
 * checkOrgRoles({ 'org:admin': [] }) // [{ path: ['org:member'], … }, { path: ['org:admin'], … }]
 */
export function checkOrgRoles(roles: Record<string, string[]>): OrgRolesIssue[] {
  const issues: OrgRolesIssue[] = []
  for (const role of Object.keys(roles)) {
    if (!ORG_ROLE_PATTERN.test(role)) issues.push({ path: [role], message: 'organization roles are named org:<role> in lower case, such as org:billing' })
  }
  for (const role of BUILT_IN_ORG_ROLES) {
    if (!roles[role]) issues.push({ path: [role], message: `the built-in role ${role} cannot be deleted; give it the permissions it should have (an empty list for none)` })
  }
  if (roles[ORG_ADMIN_ROLE] && !roles[ORG_ADMIN_ROLE].includes(ORG_SYSTEM_PERMISSIONS.membershipsManage)) {
    issues.push({ path: [ORG_ADMIN_ROLE], message: `${ORG_ADMIN_ROLE} must keep ${ORG_SYSTEM_PERMISSIONS.membershipsManage}, or nobody could manage an organization's members` })
  }
  for (const [role, permissions] of Object.entries(roles)) {
    permissions.forEach((permission, index) => {
      if (permission.startsWith('org:sys_') && !SYSTEM.has(permission)) {
        issues.push({ path: [role, String(index)], message: `"${permission}" is not a system permission; org:sys_ is reserved for ${[...SYSTEM].join(', ')} (name your own org:<feature>:<action>)` })
      }
    })
  }
  return issues
}

/**
 * The permissions of an org role in a roles map; none for a role the map no
 * longer has (a custom role deleted while members still held it).
 *
 * @example
 * orgPermissionsOf(config.organizations.roles, 'org:member') // ['org:sys_memberships:read']
 */
export function orgPermissionsOf(roles: Readonly<Record<string, readonly string[]>>, role: string): string[] {
  return Object.hasOwn(roles, role) ? [...roles[role]!] : []
}

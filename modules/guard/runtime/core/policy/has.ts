import { ORG_PERMISSION_PATTERN, ORG_ROLE_PATTERN } from '../organizations/roles'

/** Organization roles and permissions are named `org:…` (Clerk's convention). */
export const ORG_NAME_PREFIX = 'org:'

/**
 * Whether a role or permission name is an organization's (`org:…`), which
 * `has()` and route rules judge against the active organization.
 *
 * @example
 * isOrgName('org:sys_memberships:manage') // true
 * isOrgName('reports:read')               // false
 */
export function isOrgName(name: string): boolean {
  return name.startsWith(ORG_NAME_PREFIX)
}

/** What `has()` can ask. An `org:` name (Clerk's organization names) is answered from the active organization. */
export type AuthCheck = { role: string } | { permission: string }

/** Whom `has()` asks about: site roles and permissions, the active organization's role and permissions. */
export interface HasSubject {
  roles: readonly string[]
  permissions: ReadonlySet<string> | readonly string[]
  /** `org_role` of the token, null without an active organization. */
  orgRole: string | null
  orgPermissions: readonly string[]
}

const warned = new Set<string>()

/**
 * An `org:` name no role can ever hold (malformed): said once per name, so a
 * check copied with a typo does not fail silently — e.g. the older
 * `org:sys_domains_manage` for Clerk's `org:sys_domains:manage`.
 */
function warnUnholdable(kind: 'role' | 'permission', name: string): void {
  if (warned.has(name) || (kind === 'role' ? ORG_ROLE_PATTERN : ORG_PERMISSION_PATTERN).test(name)) return
  warned.add(name)
  const guess = kind === 'permission' && /^org:[a-z0-9_-]+$/.test(name) && name.lastIndexOf('_') > 4
    ? ` (did you mean ${name.slice(0, name.lastIndexOf('_'))}:${name.slice(name.lastIndexOf('_') + 1)}?)`
    : ''
  console.warn(`[nuxt-guard] has({ ${kind}: '${name}' }) is never true: organization ${kind}s are named ${kind === 'role' ? 'org:<role>' : 'org:<feature>:<action>'}${guess}.`)
}

/**
 * Answers `has({ role })` / `has({ permission })` for the server's auth
 * object and the app's `useAuth()` alike: an `org:` name against the active
 * organization (its role, its role's permissions; false without one), any
 * other against the user's site roles and their permissions.
 *
 * @example
 * hasCheck({ roles: ['member'], permissions: new Set(), orgRole: 'org:admin', orgPermissions: ['org:sys_memberships:manage'] }, { permission: 'org:sys_memberships:manage' }) // true
 */
export function hasCheck(subject: HasSubject, check: AuthCheck): boolean {
  if ('role' in check) {
    if (!isOrgName(check.role)) return subject.roles.includes(check.role)
    if (subject.orgRole === check.role) return true
    warnUnholdable('role', check.role)
    return false
  }
  const name = check.permission
  if (!isOrgName(name)) return 'has' in subject.permissions ? subject.permissions.has(name) : subject.permissions.includes(name)
  if (subject.orgPermissions.includes(name)) return true
  warnUnholdable('permission', name)
  return false
}

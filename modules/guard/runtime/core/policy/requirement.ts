import type { RouteRequirement } from '../config/schema'
import { isOrgName, type GuardAuth } from './auth'

/** A rule's permissions, normalized: `every` for a list or `{ allOf }`, `some` for `{ anyOf }`. */
export interface PermissionSet { match: 'every' | 'some'; names: readonly string[] }

/**
 * The permissions part of a requirement in one shape. A plain list keeps the
 * meaning it always had: every one of them.
 *
 * @example
 * permissionSet(['a', 'b'])          // { match: 'every', names: ['a', 'b'] }
 * permissionSet({ anyOf: ['a', 'b'] }) // { match: 'some', names: ['a', 'b'] }
 */
export function permissionSet(value: RouteRequirement['permissions'] | RouteRequirement['orgPermissions']): PermissionSet | undefined {
  if (!value) return undefined
  if (Array.isArray(value)) return { match: 'every', names: value }
  return 'anyOf' in value ? { match: 'some', names: value.anyOf } : { match: 'every', names: value.allOf }
}

/**
 * Whether a requirement asks anything of the active organization:
 * `organization`, `orgRoles`, `orgPermissions`, or an `org:` name among its
 * roles or permissions.
 *
 * @example
 * needsOrganization({ permissions: { anyOf: ['org:sys_memberships:manage', 'org:sys_domains:manage'] } }) // true
 * needsOrganization({ roles: ['admin'] }) // false
 */
export function needsOrganization(require: RouteRequirement): boolean {
  if (require.organization || require.orgRoles || require.orgPermissions) return true
  return Boolean(require.roles?.some(isOrgName) || permissionSet(require.permissions)?.names.some(isOrgName))
}

/**
 * What a requirement's roles, permissions and organization parts make of a
 * request: met (`undefined`); `forbidden` (a role or permission is missing
 * that choosing an organization would not give); or `organization` (no
 * active organization, and one could meet it). `reason` names what is
 * missing, without the rule (the caller adds it).
 */
export type RequirementShortfall = { kind: 'forbidden' | 'organization'; reason: string }

/**
 * Checks the role, permission and organization parts of one requirement.
 * An `org:` role or permission is judged against the active organization
 * (the token's `org_role`, `org_permissions`), any other against the
 * user's roles and their permissions. With `organizationExempt` (the
 * organization selection and invitation pages, the MFA and verify-email
 * pages) every organization part counts as met, so those pages never send
 * anyone to choose an organization.
 *
 * @example
 * requirementShortfall(auth, { orgPermissions: { anyOf: ['org:a:b', 'org:c:d'] } }, false)
 * // no active organization: { kind: 'organization', reason: 'needs an active organization (one of the permissions: org:a:b, org:c:d)' }
 */
export function requirementShortfall(auth: GuardAuth, require: RouteRequirement, organizationExempt = false): RequirementShortfall | undefined {
  // The hot path (met) allocates nothing; the reasons are worked out only for a refusal.
  return meets(auth, require, organizationExempt) ? undefined : shortfall(auth, require, organizationExempt)
}

function hasRole(auth: GuardAuth, role: string, organizationExempt: boolean): boolean {
  return isOrgName(role) ? organizationExempt || auth.orgRole === role : auth.roles.includes(role)
}

function hasPermission(auth: GuardAuth, permission: string, organizationExempt: boolean): boolean {
  return isOrgName(permission) ? organizationExempt || auth.orgPermissions.includes(permission) : auth.permissions.has(permission)
}

function meetsPermissions(auth: GuardAuth, value: NonNullable<RouteRequirement['permissions']>, organizationExempt: boolean): boolean {
  if (!Array.isArray(value) && 'anyOf' in value) {
    for (const permission of value.anyOf) if (hasPermission(auth, permission, organizationExempt)) return true
    return false
  }
  for (const permission of Array.isArray(value) ? value : value.allOf) if (!hasPermission(auth, permission, organizationExempt)) return false
  return true
}

function hasAnyOf(auth: GuardAuth, roles: readonly string[], organizationExempt: boolean): boolean {
  for (const role of roles) if (hasRole(auth, role, organizationExempt)) return true
  return false
}

function meets(auth: GuardAuth, require: RouteRequirement, organizationExempt: boolean): boolean {
  if (require.organization && !organizationExempt && auth.orgId === null) return false
  if (require.roles && !hasAnyOf(auth, require.roles, organizationExempt)) return false
  if (require.orgRoles && !hasAnyOf(auth, require.orgRoles, organizationExempt)) return false
  if (require.permissions && !meetsPermissions(auth, require.permissions, organizationExempt)) return false
  return !require.orgPermissions || meetsPermissions(auth, require.orgPermissions, organizationExempt)
}

function shortfall(auth: GuardAuth, require: RouteRequirement, organizationExempt: boolean): RequirementShortfall | undefined {
  const noOrg = auth.orgId === null && !organizationExempt
  let organization: string | undefined
  const roleOk = (role: string) => hasRole(auth, role, organizationExempt)
  const permissionOk = (permission: string) => hasPermission(auth, permission, organizationExempt)

  for (const roles of [require.roles, require.orgRoles]) {
    if (!roles || roles.some(roleOk)) continue
    const what = `one of the roles: ${roles.join(', ')}`
    if (noOrg && roles.some(isOrgName)) organization ??= `needs an active organization (${what})`
    else return { kind: 'forbidden', reason: `needs ${what}` }
  }
  for (const set of [permissionSet(require.permissions), permissionSet(require.orgPermissions)]) {
    if (!set) continue
    const missing = set.names.filter(permission => !permissionOk(permission))
    if (!missing.length || (set.match === 'some' && missing.length < set.names.length)) continue
    const what = set.match === 'some' && set.names.length > 1
      ? `one of the permissions: ${set.names.join(', ')}`
      : `the permission${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`
    // Only organization permissions missing (all of them, or every alternative): choosing an organization may give them.
    const orgCouldGive = set.match === 'some' ? set.names.some(isOrgName) : missing.every(isOrgName)
    if (noOrg && orgCouldGive) organization ??= `needs an active organization (${what})`
    else return { kind: 'forbidden', reason: `needs ${what}` }
  }
  if (require.organization && noOrg) organization ??= 'needs an active organization'
  return organization ? { kind: 'organization', reason: organization } : undefined
}

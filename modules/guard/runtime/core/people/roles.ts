import { ADMIN_ROLE } from '../admin/console-access'
import type { CompiledPolicy } from '../policy/compile'
import { PeopleError } from './errors'

/**
 * Refuses roles the live config does not know (422 `invalid_request`,
 * field `roles`): known are `admin`, the keys of `roles` and every role a
 * route rule requires (but `org:` roles: those are held in an organization, not by the user).
 *
 * @example
 * assertKnownRoles(guard.live.policy, ['member', 'billing'])
 */
export function assertKnownRoles(policy: CompiledPolicy, roles: readonly string[]): void {
  const { config } = policy
  const known = new Set([ADMIN_ROLE, ...Object.keys(config.roles), ...config.routes.rules.flatMap(rule => (rule.require.roles ?? []).filter(role => !role.startsWith('org:')))])
  const unknown = roles.filter(role => !known.has(role))
  if (!unknown.length) return
  throw new PeopleError('invalid_request', `roles: unknown role ${unknown.map(role => `"${role}"`).join(', ')}; define it under "roles" in the config first (known: ${[...known].join(', ')})`, { field: 'roles' })
}

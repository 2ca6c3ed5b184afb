import { GuardError } from '../errors'
import type { SqlExecutor } from '../store/db/database'
import { listUserOrgMemberships } from '../store/org-memberships'

/** One of a user's organizations, as the simulator and the claims preview offer them. */
export interface UserOrganizationChoice { id: string; name: string; slug: string; role: string; publicMetadata: Record<string, unknown> }

/**
 * The organizations a user belongs to (with their role), for the console to
 * offer as the simulated session's active organization; and the one chosen
 * (`organizationId`), or null for none. A user who is not a member of the
 * chosen one cannot have it active: 422 `invalid_request` naming
 * `organizationId`. One query.
 *
 * @example
 * const { choices, chosen } = await userOrganizationChoice(guard.db, user.id, body.organizationId)
 * simulateRequest(policy, { method, path, user: { ...user, organization: chosen } }, options)
 */
export async function userOrganizationChoice(db: SqlExecutor, userId: string, organizationId?: string | null): Promise<{ choices: UserOrganizationChoice[]; chosen: UserOrganizationChoice | null }> {
  const choices = (await listUserOrgMemberships(db, userId)).map(({ organization, role }) => ({
    id: organization.id, name: organization.name, slug: organization.slug, role, publicMetadata: organization.publicMetadata,
  }))
  if (!organizationId) return { choices, chosen: null }
  const chosen = choices.find(choice => choice.id === organizationId)
  if (!chosen) throw new GuardError('invalid_request', 'organizationId: that user is not a member of this organization; pick one of theirs, or none', { field: 'organizationId' })
  return { choices, chosen }
}

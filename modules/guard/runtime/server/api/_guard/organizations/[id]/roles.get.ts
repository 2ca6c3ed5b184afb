import { listOrgRoles } from '#guard/core/organizations/role-list'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * GET /api/_guard/organizations/:id/roles → `{ roles: [{ key, permissions }] }`: the roles the
 * live config defines (`organizations.roles`, in its order), for choosing one when inviting or
 * changing a member's role. Any member; 403 `not_a_member`.
 */
export default defineOrganizationHandler(async (event, { guard, userId }) => {
  return { roles: await listOrgRoles(guard, orgRouteParam(event, 'id'), userId) }
})

import { deleteOrganization } from '#guard/core/organizations/profile'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * DELETE /api/_guard/organizations/:id → `{ deleted: true, formerMembers }`: the organization, its
 * memberships and invitations go; sessions that had it active have none. Needs `org:sys_profile:delete`.
 */
export default defineOrganizationHandler(async (event, { guard, actor }) => {
  return deleteOrganization(guard, actor, orgRouteParam(event, 'id'))
})

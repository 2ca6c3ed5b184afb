import { removeMember } from '#guard/core/organizations/members'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * DELETE /api/_guard/organizations/:id/members/:userId → `{ removed: true }`. Needs
 * `org:sys_memberships:manage` (yourself: the same as leaving); 404 `member_not_found`; 409
 * `last_org_admin`. Their sessions lose it as the active organization, on every instance.
 */
export default defineOrganizationHandler(async (event, { guard, actor }) => {
  return removeMember(guard, actor, orgRouteParam(event, 'id'), orgRouteParam(event, 'userId'))
})

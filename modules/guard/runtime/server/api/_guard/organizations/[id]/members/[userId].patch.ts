import { changeMemberRole } from '#guard/core/organizations/members'
import { changeMemberRoleSchema } from '#guard/core/organizations/schema'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * PATCH /api/_guard/organizations/:id/members/:userId `{ role }` → `{ member: { userId, role } }`.
 * Needs `org:sys_memberships:manage`; the role must be in the config's `organizations.roles` (422);
 * 404 `member_not_found`; 409 `last_org_admin`. The member's token carries the role from their next request.
 */
export default defineOrganizationHandler(async (event, { guard, actor, body }) => {
  return { member: await changeMemberRole(guard, actor, orgRouteParam(event, 'id'), orgRouteParam(event, 'userId'), body.role) }
}, { body: changeMemberRoleSchema })

import { changeMemberRole } from '#guard/core/organizations/members'
import { changeMemberRoleSchema } from '#guard/core/organizations/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * PUT /api/_guard/admin/organizations/:id/members/:userId `{ role }` → `{ member: { userId, role }, effective:
 * 'next_request' }`: the member's sessions carry the new org role from their next request, on every instance.
 * 404 `organization_not_found` / `member_not_found`, 409 `last_org_admin` (the organization would have no
 * org:admin), 422 for a role the config does not define. Audited (`organization.member_role`, before and after).
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  const member = await changeMemberRole(guard, operatorActor(event, admin), adminRouteParam(event, 'id'), adminRouteParam(event, 'userId'), body.role)
  return { member, effective: 'next_request' as const }
}, { body: changeMemberRoleSchema })

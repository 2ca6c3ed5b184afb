import { removeMember } from '#guard/core/organizations/members'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * DELETE /api/_guard/admin/organizations/:id/members/:userId → `{ removed: true }`: their sessions lose the
 * organization (as the active one too) from their next request. 404 `organization_not_found` /
 * `member_not_found`, 409 `last_org_admin`. Audited (`organization.member_remove`).
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  return removeMember(guard, operatorActor(event, admin), adminRouteParam(event, 'id'), adminRouteParam(event, 'userId'))
})

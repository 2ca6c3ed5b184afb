import { deleteOrganization } from '#guard/core/organizations/profile'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * DELETE /api/_guard/admin/organizations/:id → `{ deleted: true, formerMembers }`: the organization goes with its
 * memberships and invitations; every session that had it active has none, and every former member's token is
 * re-minted at their next request. 404 `organization_not_found`. Audited (`organization.delete`).
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  return deleteOrganization(guard, operatorActor(event, admin), adminRouteParam(event, 'id'))
})

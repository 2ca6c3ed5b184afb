import { organizationDetails } from '#guard/core/organizations/console'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * GET /api/_guard/admin/organizations/:id → `{ organization, members: [{ userId, email, role, joinedAt }],
 * membersTotal, invitations: [{ id, email, role, status: 'pending', invitedBy, createdAt, expiresAt, … }] }`:
 * members oldest first (up to 500; `membersTotal` counts them all), pending invitations newest first.
 * 404 `organization_not_found`.
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  return organizationDetails(guard, operatorActor(event, admin), adminRouteParam(event, 'id'))
})

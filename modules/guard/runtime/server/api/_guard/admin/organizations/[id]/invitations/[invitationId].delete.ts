import { revokeInvitation } from '#guard/core/organizations/invitations'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * DELETE /api/_guard/admin/organizations/:id/invitations/:invitationId → `{ invitation }` (`status: 'revoked'`):
 * its link stops working at once. 404 `organization_not_found`, 404 `invitation_not_found` when the organization
 * has no such pending invitation. Audited (`organization.invitation_revoke`).
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  return { invitation: await revokeInvitation(guard, operatorActor(event, admin), adminRouteParam(event, 'id'), adminRouteParam(event, 'invitationId')) }
})

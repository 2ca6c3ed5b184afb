import { revokeInvitation } from '#guard/core/organizations/invitations'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * DELETE /api/_guard/organizations/:id/invitations/:invitationId → `{ invitation }` (status
 * `revoked`): its link stops working. Needs `org:sys_memberships:manage`; 404 `invitation_not_found`.
 */
export default defineOrganizationHandler(async (event, { guard, actor }) => {
  return { invitation: await revokeInvitation(guard, actor, orgRouteParam(event, 'id'), orgRouteParam(event, 'invitationId')) }
})

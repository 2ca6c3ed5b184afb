import { listInvitations } from '#guard/core/organizations/invitations'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * GET /api/_guard/organizations/:id/invitations → `{ invitations: [{ id, email, role, status:
 * 'pending' | 'accepted' | 'revoked' | 'expired', … }] }`, newest first. Needs `org:sys_memberships:manage`.
 */
export default defineOrganizationHandler(async (event, { guard, userId }) => {
  return { invitations: await listInvitations(guard, orgRouteParam(event, 'id'), userId) }
})

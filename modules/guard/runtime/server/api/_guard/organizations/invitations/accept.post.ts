import { acceptOrgInvitationToken } from '#guard/core/organizations/accept'
import { acceptInvitationSchema } from '#guard/core/organizations/schema'
import { defineOrganizationHandler } from '#guard/server/utils/define-organization-handler'

/**
 * POST /api/_guard/organizations/invitations/accept `{ token }` → `{ organization }` with your new
 * role: you join the organization. 400 `invalid_invitation` (unknown, used, withdrawn or expired);
 * 403 `invitation_for_another_address` (sign in with the address it was sent to); 409
 * `already_a_member`; 429 past 30 look-ups per 15 minutes.
 */
export default defineOrganizationHandler(async (_event, { guard, actor, body }) => {
  return { organization: await acceptOrgInvitationToken(guard, actor, body.token) }
}, { body: acceptInvitationSchema })

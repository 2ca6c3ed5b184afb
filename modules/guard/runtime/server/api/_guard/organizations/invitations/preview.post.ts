import { previewOrgInvitation } from '#guard/core/organizations/accept'
import { acceptInvitationSchema } from '#guard/core/organizations/schema'
import { defineOrganizationHandler } from '#guard/server/utils/define-organization-handler'

/**
 * POST /api/_guard/organizations/invitations/preview `{ token }` → `{ organization: { id, name,
 * slug }, role, email, expiresAt, forYou }`, for the acceptance page; nothing is spent. 400
 * `invalid_invitation`; 429 past 30 look-ups per 15 minutes.
 */
export default defineOrganizationHandler(async (_event, { guard, actor, body }) => {
  return previewOrgInvitation(guard, actor, body.token)
}, { body: acceptInvitationSchema })

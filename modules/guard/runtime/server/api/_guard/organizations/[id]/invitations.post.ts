import { inviteToOrganization } from '#guard/core/organizations/invitations'
import { inviteSchema } from '#guard/core/organizations/schema'
import { defineOrganizationHandler, orgInvitationUrl, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * POST /api/_guard/organizations/:id/invitations `{ email, role? }` → `{ invitation }` (never its
 * token): the address gets an email with a link to `organizations.invitationUrl?token=…` (single use,
 * `invitationTtlHours`, for that address only). Needs `org:sys_memberships:manage`; 409
 * `already_a_member`; 422 for an unknown role; 429 past 50 per hour.
 */
export default defineOrganizationHandler(async (event, { guard, actor, body }) => {
  const { invitation, delivery } = await inviteToOrganization(guard, actor, orgRouteParam(event, 'id'), body, orgInvitationUrl(event, guard))
  void delivery.catch(error => console.error('[nuxt-guard] an organization invitation email could not be sent:', error))
  return { invitation }
}, { body: inviteSchema })

import { inviteToOrganization } from '#guard/core/organizations/invitations'
import { inviteSchema } from '#guard/core/organizations/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'
import { orgInvitationUrl } from '#guard/server/utils/define-organization-handler'

/**
 * POST /api/_guard/admin/organizations/:id/invitations `{ email, role? }` → `{ invitation }` (never its token):
 * emails a link to `organizations.invitationUrl?token=…` (single use, `invitationTtlHours`, for that address only;
 * an earlier pending one to the address stops working). 403 `organizations_disabled` while switched off (the
 * link's page needs them), 404 `organization_not_found`, 409 `already_a_member`, 422 for an unknown role, 429
 * past 50 per admin per hour. Audited (`organization.invite`).
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  const { invitation, delivery } = await inviteToOrganization(guard, operatorActor(event, admin), adminRouteParam(event, 'id'), body, orgInvitationUrl(event, guard))
  void delivery.catch(error => console.error('[nuxt-guard] an organization invitation email could not be sent:', error))
  return { invitation }
}, { body: inviteSchema })

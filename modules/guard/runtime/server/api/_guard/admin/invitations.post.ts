import { inviteUser } from '#guard/core/people/invite'
import { inviteSchema } from '#guard/core/people/schema'
import { INVITATION_PAGE } from '#guard/core/policy/compile'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { auditAdminAction } from '#guard/server/utils/admin-request'
import { requireEmailLink } from '#guard/server/utils/email-links'

/**
 * POST /api/_guard/admin/invitations `{ email, roles? }` → `{ invitation: { id, email, roles, invitedBy,
 * createdAt, expiresAt, … }, replaced }`: emails a link to /accept-invitation?token=… that works once,
 * for `account.invitationTtlHours` (72); a live invitation of the same address is replaced (`replaced`).
 * The token is never in the answer. 409 `email_taken` when the address has an account; 422 for an
 * unknown role; 502 `invitation_not_sent` when the email could not be sent (nothing stays live).
 * Audited (`user.invite`).
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  const acceptUrl = requireEmailLink(event, INVITATION_PAGE)
  const { invitation, replaced } = await inviteUser(guard, body, { invitedBy: admin.userId, acceptUrl })
  await auditAdminAction(event, guard, admin.userId, {
    action: 'user.invite', target: invitation.id, before: null,
    after: { email: invitation.email, roles: invitation.roles, expiresAt: invitation.expiresAt.toISOString(), replaced },
  })
  return { invitation, replaced }
}, { body: inviteSchema })

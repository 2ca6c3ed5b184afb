import { listPendingInvitations } from '#guard/core/store/invitations'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'

/**
 * GET /api/_guard/admin/invitations → `{ invitations: [{ id, email, roles, invitedBy, invitedByEmail,
 * createdAt, expiresAt, … }] }`: the invitations that can still be accepted, newest first (at most 200).
 */
export default defineAdminHandler(async (_event, { guard }) => {
  return { invitations: await listPendingInvitations(guard.db, new Date(guard.now())) }
})

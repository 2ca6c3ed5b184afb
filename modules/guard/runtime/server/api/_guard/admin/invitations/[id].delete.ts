import { PeopleError } from '#guard/core/people/errors'
import { revokeInvitation } from '#guard/core/store/invitations'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'

/**
 * DELETE /api/_guard/admin/invitations/:id → `{ revoked: true }`: the emailed link stops working at
 * once. 404 `invitation_not_found` when it was accepted, revoked or expired already. Audited
 * (`user.invitation_revoked`).
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  const id = adminRouteParam(event, 'id')
  const revoked = await revokeInvitation(guard.db, id, new Date(guard.now()))
  if (!revoked) throw new PeopleError('invitation_not_found')
  await auditAdminAction(event, guard, admin.userId, {
    action: 'user.invitation_revoked', target: id,
    before: { email: revoked.email, roles: revoked.roles, status: 'pending' }, after: { email: revoked.email, status: 'revoked' },
  })
  return { revoked: true as const }
})

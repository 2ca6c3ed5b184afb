import { listActiveSessionIds } from '#guard/core/store/sessions'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'
import { userOr404 } from '#guard/server/utils/admin-users'

/**
 * POST /api/_guard/admin/users/:id/revoke-sessions `{}` → `{ revoked }`: signs the user out
 * everywhere. Their tokens stop at once on this instance and, through NOTIFY, on the others.
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  const user = await userOr404(guard, adminRouteParam(event, 'id'))
  const activeSessions = (await listActiveSessionIds(guard.db, user.id, new Date(guard.now()))).length
  const revoked = await guard.revokeUserSessions(user.id)
  await auditAdminAction(event, guard, admin.userId, {
    action: 'user.revoke_sessions', target: user.id,
    before: { email: user.email, activeSessions }, after: { email: user.email, activeSessions: activeSessions - revoked, revoked },
  })
  return { revoked }
})

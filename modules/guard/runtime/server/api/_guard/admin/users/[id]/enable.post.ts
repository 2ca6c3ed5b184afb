import { enableUser, statusSnapshot } from '#guard/core/people/disable'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'
import { adminUserView } from '#guard/server/utils/admin-users'

/**
 * POST /api/_guard/admin/users/:id/enable `{}` → the user (`disabled: false`): the account signs in
 * again with its password (its sessions ended when it was disabled). 404 `user_not_found`.
 * Audited (`user.enable`) with before and after.
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  const userId = adminRouteParam(event, 'id')
  const { before, after } = await enableUser(guard, userId)
  const now = new Date(guard.now())
  await auditAdminAction(event, guard, admin.userId, { action: 'user.enable', target: userId, before: statusSnapshot(before, now), after: statusSnapshot(after, now) })
  return adminUserView(guard, after)
})

import { deleteAllFactors, enrolledFactorTypes } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'
import { userOr404 } from '#guard/server/utils/admin-users'
import { USER_CHANGE_EFFECT } from '#guard/server/utils/admin-token-lag'

/**
 * POST /api/_guard/admin/users/:id/reset-mfa `{}` → `{ removed, effective: 'next_request' }`:
 * removes every factor, recovery code and remembered device of the user. From the next
 * request of each of their sessions (every instance) their claims say no factor is
 * enrolled, so where MFA is required they are sent to set one up. Revoke their sessions
 * to end them instead.
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  const user = await userOr404(guard, adminRouteParam(event, 'id'))
  const before = await enrolledFactorTypes(guard.db, user.id)
  const removed = await deleteAllFactors(guard.db, user.id)
  await guard.claimsChanged(user.id)
  await auditAdminAction(event, guard, admin.userId, { action: 'user.reset_mfa', target: user.id, before: { email: user.email, factors: before }, after: { email: user.email, factors: [], removed } })
  return { removed, ...USER_CHANGE_EFFECT }
})

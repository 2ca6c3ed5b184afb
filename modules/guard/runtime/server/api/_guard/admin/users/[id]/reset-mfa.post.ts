import { deleteAllFactors, enrolledFactorTypes } from '../../../../../../core/store/factors'
import { defineGuardHandler } from '../../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../../utils/require-admin'
import { useGuard } from '../../../../../utils/guard-instance'
import { adminRouteParam, auditAdminAction } from '../../../../../utils/admin-request'
import { userOr404 } from '../../../../../utils/admin-users'
import { USER_CHANGE_EFFECT } from '../../../../../utils/admin-token-lag'

/**
 * POST /api/_guard/admin/users/:id/reset-mfa `{}` → `{ removed, effective: 'next_request' }`:
 * removes every factor, recovery code and remembered device of the user. From the next
 * request of each of their sessions (every instance) their claims say no factor is
 * enrolled, so where MFA is required they are sent to set one up. Revoke their sessions
 * to end them instead.
 */
export default defineGuardHandler(async (event) => {
  const admin = await requireAdmin(event)
  const guard = await useGuard()
  const user = await userOr404(guard, adminRouteParam(event, 'id'))
  const before = await enrolledFactorTypes(guard.db, user.id)
  const removed = await deleteAllFactors(guard.db, user.id)
  await guard.claimsChanged(user.id)
  await auditAdminAction(event, guard, admin.userId, { action: 'user.reset_mfa', target: user.id, before: { email: user.email, factors: before }, after: { email: user.email, factors: [], removed } })
  return { removed, ...USER_CHANGE_EFFECT }
})

import { deleteAllFactors, enrolledFactorTypes } from '../../../../../../core/store/factors'
import { defineGuardHandler } from '../../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../../utils/require-admin'
import { useGuard } from '../../../../../utils/guard-instance'
import { adminRouteParam, auditAdminAction } from '../../../../../utils/admin-request'
import { userOr404 } from '../../../../../utils/admin-users'
import { tokenLagSeconds } from '../../../../../utils/admin-token-lag'

/**
 * POST /api/_guard/admin/users/:id/reset-mfa `{}` → `{ removed, effectiveWithinSeconds }`:
 * removes every factor, recovery code and remembered device of the user; they enroll
 * again at their next sign-in. Tokens already issued keep their MFA claim until they
 * refresh; revoke the user's sessions too to end those at once.
 */
export default defineGuardHandler(async (event) => {
  const admin = await requireAdmin(event)
  const guard = await useGuard()
  const user = await userOr404(guard, adminRouteParam(event, 'id'))
  const before = await enrolledFactorTypes(guard.db, user.id)
  const removed = await deleteAllFactors(guard.db, user.id)
  await auditAdminAction(event, guard, admin.userId, { action: 'user.reset_mfa', target: user.id, before: { email: user.email, factors: before }, after: { email: user.email, factors: [], removed } })
  return { removed, effectiveWithinSeconds: tokenLagSeconds(guard) }
})

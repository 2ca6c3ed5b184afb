import { unlockUser } from '#guard/core/people/unlock'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'
import { userOr404 } from '#guard/server/utils/admin-users'

/**
 * POST /api/_guard/admin/users/:id/unlock `{}` → `{ signInFailures, rateLimits }`: the account's
 * sign-in failures (every client address) are forgotten and every rate-limit row of the user is
 * removed, blocks included — second-factor attempts, their sessions' challenges, email-code sends,
 * reset tries — so they may try again at once. 404 `user_not_found`. Audited (`user.unlock`) with
 * what was cleared.
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  const user = await userOr404(guard, adminRouteParam(event, 'id'))
  const cleared = await unlockUser(guard, user.id)
  await auditAdminAction(event, guard, admin.userId, {
    action: 'user.unlock', target: user.id,
    before: { email: user.email, signInFailures: cleared.signInFailures, rateLimits: cleared.rateLimits }, after: { email: user.email, signInFailures: 0, rateLimits: [] },
  })
  return cleared
})

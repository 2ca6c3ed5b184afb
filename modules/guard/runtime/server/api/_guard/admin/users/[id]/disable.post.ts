import { disableUser, statusSnapshot } from '#guard/core/people/disable'
import { disableSchema } from '#guard/core/people/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'
import { adminUserView } from '#guard/server/utils/admin-users'

/**
 * POST /api/_guard/admin/users/:id/disable `{ reason, until? }` → the user (`disabled: true`,
 * `disabledReason`, `disabledUntil`) and `revokedSessions`: every session of the user ends at once
 * on every instance, so their tokens are refused from their next request; sign-in answers 403
 * `user_disabled` (after the right password) until `until` passes or an admin enables the account.
 * `reason`: 1–500 characters; `until`: an ISO 8601 date in the future, or null. 409 `own_account`,
 * 409 `last_admin`, 404 `user_not_found`. Audited (`user.disable`) with before and after.
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  const userId = adminRouteParam(event, 'id')
  const { before, after, revokedSessions } = await disableUser(guard, { userId, actorId: admin.userId, reason: body.reason, until: body.until })
  const now = new Date(guard.now())
  await auditAdminAction(event, guard, admin.userId, { action: 'user.disable', target: userId, before: statusSnapshot(before, now), after: { ...statusSnapshot(after, now), revokedSessions } })
  return { ...(await adminUserView(guard, after)), revokedSessions }
}, { body: disableSchema })

import { deleteUser } from '#guard/core/account/delete-user'
import { PeopleError } from '#guard/core/people/errors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { clientAddress } from '#guard/server/utils/client-address'

/**
 * DELETE /api/_guard/admin/users/:id → `{ deleted: true, revokedSessions }`: erases the account
 * (deleteUser: its sessions end at once on every instance, its rows go, the audit log keeps the
 * entry `user.deleted` with the address anonymised) and emails the old address. 409 `own_account`
 * (delete your own account from the account page instead), 409 `last_admin`, 404 `user_not_found`.
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  const userId = adminRouteParam(event, 'id')
  if (userId === admin.userId) throw new PeopleError('own_account', 'You cannot delete your own account from the console; delete it from your account page, or ask another admin.')
  const { revokedSessions, delivery } = await deleteUser(guard, userId, { actorId: admin.userId, ip: clientAddress(event) ?? null, by: 'admin' })
  void delivery
  return { deleted: true as const, revokedSessions }
})

import { createUserByAdmin } from '#guard/core/people/create-user'
import { createUserSchema } from '#guard/core/people/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { auditAdminAction } from '#guard/server/utils/admin-request'
import { adminUserView } from '#guard/server/utils/admin-users'

/**
 * POST /api/_guard/admin/users `{ email, password, roles? }` → the new user as the list shows it
 * (roles default `["member"]`). The password passes the strength check (422 field `password`);
 * 409 `email_taken`; 422 for an unknown role. The address is not marked verified; pending
 * invitations of it are revoked. Audited (`user.create`, after: email, roles).
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  const { user, revokedInvitations } = await createUserByAdmin(guard, body)
  await auditAdminAction(event, guard, admin.userId, {
    action: 'user.create', target: user.id, before: null, after: { email: user.email, roles: user.roles, emailVerified: user.emailVerified, revokedInvitations },
  })
  return adminUserView(guard, user)
}, { body: createUserSchema })

import { z } from 'zod'
import { ADMIN_ROLE } from '#guard/core/admin/console-access'
import { GuardError } from '#guard/core/errors'
import { setUserRoles } from '#guard/core/store/users'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'
import { adminUserView, refuseOversizedClaims, userOr404 } from '#guard/server/utils/admin-users'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'
import { USER_CHANGE_EFFECT } from '#guard/server/utils/admin-token-lag'

const body = z.object({
  roles: z.array(z.string().regex(/^[a-z0-9][a-z0-9_:-]*$/i, 'role names use letters, digits, _ : -')).max(50)
    .transform(roles => [...new Set(roles)]),
})

/**
 * PUT /api/_guard/admin/users/:id/roles `{ roles }` → the user, plus `effective: 'next_request'`
 * (and `effectiveWithinSeconds: 0`): each of the user's sessions is judged by the new roles
 * from its next request, on every instance (ClaimsEpochs: its current token is stale and is
 * judged by the server's fresh view of the session). A change of roles is also a change of
 * privilege, so the user's sessions are not refreshed past their current token (they sign in
 * again; an admin changing their own roles gets this session renewed). 409 `last_admin`; 422 for a role the config does
 * not know; 422 `claims_too_large` when the claims template would render too large.
 */
export default defineAdminHandler(async (event, { guard, admin, body: { roles } }) => {
  const user = await userOr404(guard, adminRouteParam(event, 'id'))
  const { config } = guard.live.policy
  const known = new Set([ADMIN_ROLE, ...Object.keys(config.roles), ...config.routes.rules.flatMap(rule => (rule.require.roles ?? []).filter(role => !role.startsWith('org:')))])
  const unknown = roles.filter(role => !known.has(role))
  if (unknown.length) {
    throw new GuardError('invalid_request', `roles: unknown role ${unknown.map(role => `"${role}"`).join(', ')}; define it under "roles" in the config first (known: ${[...known].join(', ')})`, { field: 'roles' })
  }
  await refuseOversizedClaims(guard, { ...user, roles }, 'roles')
  const updated = await setUserRoles(guard.db, user.id, roles)
  if (!updated) throw new GuardError('user_not_found', `There is no user ${user.id}; pick one from the users list.`)
  await guard.claimsChanged(updated.id, updated.claimsEpoch)
  // A change of privilege: no refresh secret issued before it refreshes again (a copy
  // cannot mint the new roles); the admin's own session, if it is this user's, is renewed.
  const sameRoles = updated.roles.length === user.roles.length && updated.roles.every(role => user.roles.includes(role))
  if (!sameRoles) {
    const renewed = await guard.sessions.renewAfterPrivilegeChange(user.id, admin.sessionId)
    if (renewed) adoptIssuedToken(event, guard, renewed)
  }
  await auditAdminAction(event, guard, admin.userId, { action: 'user.roles', target: user.id, before: { email: user.email, roles: user.roles }, after: { email: user.email, roles: updated.roles } })
  return { ...(await adminUserView(guard, updated)), ...USER_CHANGE_EFFECT }
}, { body })

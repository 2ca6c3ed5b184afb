import { publicMetadataBody } from '#guard/core/claims/public-metadata'
import { GuardError } from '#guard/core/errors'
import { setPublicMetadata } from '#guard/core/store/users'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam, auditAdminAction } from '#guard/server/utils/admin-request'
import { adminUserView, refuseOversizedClaims, userOr404 } from '#guard/server/utils/admin-users'
import { USER_CHANGE_EFFECT } from '#guard/server/utils/admin-token-lag'

/**
 * PUT /api/_guard/admin/users/:id/metadata `{ publicMetadata }` → the user with
 * its metadata, plus `effective: 'next_request'` (and `effectiveWithinSeconds: 0`): every
 * session of the user carries claims rendered from it from its next request, on every
 * instance. Replaces the whole object; audited with before and after.
 * 422 `claims_too_large` (naming the claim) when the live claims template
 * would render this user's session-token claims over the size limit.
 */
export default defineAdminHandler(async (event, { guard, admin, body: { publicMetadata } }) => {
  const user = await userOr404(guard, adminRouteParam(event, 'id'))
  await refuseOversizedClaims(guard, { ...user, publicMetadata }, 'publicMetadata')
  const updated = await setPublicMetadata(guard.db, user.id, publicMetadata)
  if (!updated) throw new GuardError('user_not_found', `There is no user ${user.id}; pick one from the users list.`)
  await guard.claimsChanged(updated.id, updated.claimsEpoch)
  await auditAdminAction(event, guard, admin.userId, {
    action: 'user.metadata', target: user.id, before: { email: user.email, publicMetadata: user.publicMetadata }, after: { email: user.email, publicMetadata: updated.publicMetadata },
  })
  return { ...(await adminUserView(guard, updated)), publicMetadata: updated.publicMetadata, ...USER_CHANGE_EFFECT }
}, { body: publicMetadataBody })

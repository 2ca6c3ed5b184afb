import { GuardError } from '#guard/core/errors'
import { defineGuardHandler } from '#guard/server/utils/define-guard-handler'
import { getAuth } from '#guard/server/utils/get-auth'

/**
 * GET /api/_guard/session: `{ userId, sessionId, claims, roles, permissions, orgId, orgSlug, orgRole,
 * orgPermissions }` (the organization fields: the session's active one, from its token; null and
 * [] without one) or 401.
 */
export default defineGuardHandler((event) => {
  const auth = getAuth(event)
  if (!auth.userId) throw new GuardError('unauthenticated', 'Not signed in.')
  return {
    userId: auth.userId, sessionId: auth.sessionId, claims: auth.sessionClaims, roles: auth.roles, permissions: [...auth.permissions],
    orgId: auth.orgId, orgSlug: auth.orgSlug, orgRole: auth.orgRole, orgPermissions: [...auth.orgPermissions],
  }
})

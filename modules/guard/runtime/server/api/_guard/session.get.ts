import { defineGuardHandler } from '../../utils/define-guard-handler'
import { guardError } from '../../utils/errors'
import { getAuth } from '../../utils/get-auth'

/** GET /api/_guard/session: `{ userId, sessionId, claims }` or 401. */
export default defineGuardHandler((event) => {
  const auth = getAuth(event)
  if (!auth.userId) throw guardError(401, 'unauthenticated', 'Not signed in.')
  return { userId: auth.userId, sessionId: auth.sessionId, claims: auth.sessionClaims, roles: auth.roles, permissions: [...auth.permissions] }
})

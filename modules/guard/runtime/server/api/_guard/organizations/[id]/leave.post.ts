import { leaveOrganization } from '#guard/core/organizations/members'
import { sessionActiveOrgId } from '#guard/core/store/sessions'
import { defineOrganizationHandler, orgRouteParam, renewCurrentSession } from '#guard/server/utils/define-organization-handler'

/**
 * POST /api/_guard/organizations/:id/leave → `{ left: true }`; 409 `last_org_admin` for its last
 * org:admin. When it was this session's active organization, the session has none and its token is
 * re-minted in this response.
 */
export default defineOrganizationHandler(async (event, { guard, actor, sessionId }) => {
  const orgId = orgRouteParam(event, 'id')
  const wasActive = (await sessionActiveOrgId(guard.db, sessionId)) === orgId
  const answer = await leaveOrganization(guard, actor, orgId)
  if (wasActive) await renewCurrentSession(event, guard, sessionId)
  return answer
})

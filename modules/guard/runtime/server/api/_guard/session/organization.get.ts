import { activeOrganization } from '#guard/core/organizations/active'
import { defineOrganizationHandler } from '#guard/server/utils/define-organization-handler'

/** GET /api/_guard/session/organization → `{ activeOrganization }`: this session's active organization with your role and permissions, or null. */
export default defineOrganizationHandler(async (_event, { guard, sessionId }) => {
  return { activeOrganization: await activeOrganization(guard, sessionId) }
})

import { getOrganization } from '#guard/core/organizations/organizations'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/** GET /api/_guard/organizations/:id → `{ organization }` with your role and permissions; 403 `not_a_member` (also for an unknown id). */
export default defineOrganizationHandler(async (event, { guard, userId }) => {
  return { organization: await getOrganization(guard, orgRouteParam(event, 'id'), userId) }
})

import { listMyOrganizations } from '#guard/core/organizations/organizations'
import { defineOrganizationHandler } from '#guard/server/utils/define-organization-handler'

/** GET /api/_guard/organizations → `{ organizations }`: the ones you belong to, by name, each with your role and its permissions. */
export default defineOrganizationHandler(async (_event, { guard, userId }) => {
  return { organizations: await listMyOrganizations(guard, userId) }
})

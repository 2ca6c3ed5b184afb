import { z } from 'zod'
import { listMembers } from '#guard/core/organizations/members'
import { readAdminQuery } from '#guard/server/utils/admin-request'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(100),
  offset: z.coerce.number().int().min(0).default(0),
})

/**
 * GET /api/_guard/organizations/:id/members?limit=100&offset=0 → `{ members: [{ userId, email, role,
 * joinedAt }], total }`, oldest first. Needs `org:sys_memberships:read`.
 */
export default defineOrganizationHandler(async (event, { guard, userId }) => {
  return listMembers(guard, orgRouteParam(event, 'id'), userId, readAdminQuery(event, query))
})

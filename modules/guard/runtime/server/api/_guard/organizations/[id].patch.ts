import { updateOrganization } from '#guard/core/organizations/profile'
import { updateOrganizationSchema } from '#guard/core/organizations/schema'
import { defineOrganizationHandler, orgRouteParam } from '#guard/server/utils/define-organization-handler'

/**
 * PATCH /api/_guard/organizations/:id `{ name?, slug? }` → `{ organization }`. Needs
 * `org:sys_profile:manage` (403 `org_permission_required`); 409 `slug_taken`. Sessions that have
 * it active carry the new slug from their next request.
 */
export default defineOrganizationHandler(async (event, { guard, actor, body }) => {
  return { organization: await updateOrganization(guard, actor, orgRouteParam(event, 'id'), body) }
}, { body: updateOrganizationSchema })

import { updateOrganizationProfile } from '#guard/core/organizations/profile'
import { updateOrganizationSchema } from '#guard/core/organizations/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * PATCH /api/_guard/admin/organizations/:id `{ name?, slug? }` → `{ organization }`: renames it and/or changes
 * its slug; the sessions that have it active carry the new slug from their next request. 404
 * `organization_not_found`, 409 `slug_taken` (field `slug`), 422 naming the field. Audited
 * (`organization.update`, name and slug before and after).
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  return { organization: await updateOrganizationProfile(guard, operatorActor(event, admin), adminRouteParam(event, 'id'), body) }
}, { body: updateOrganizationSchema })

import { createOrganizationFor } from '#guard/core/organizations/console'
import { createOrganizationForSchema } from '#guard/core/organizations/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * POST /api/_guard/admin/organizations `{ name, slug?, ownerEmail }` → `{ organization }` (as its owner sees it:
 * `role: 'org:admin'`): the user with that address becomes its first org:admin. 404 `user_not_found` (field
 * `ownerEmail`), 409 `slug_taken`, 422 naming the field. Audited (`organization.create`, with the owner's id).
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  return { organization: await createOrganizationFor(guard, operatorActor(event, admin), body) }
}, { body: createOrganizationForSchema })

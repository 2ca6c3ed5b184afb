import { createOrganization } from '#guard/core/organizations/organizations'
import { createOrganizationSchema } from '#guard/core/organizations/schema'
import { defineOrganizationHandler } from '#guard/server/utils/define-organization-handler'

/**
 * POST /api/_guard/organizations `{ name, slug? }` → the new organization with your role
 * (`org:admin`) and its permissions. The slug (2–64 lower-case letters, digits, dashes) is made
 * from the name when not given. 403 `organizations_disabled`, 403 `organization_creation_disabled`,
 * 409 `slug_taken`, 422 naming the field, 429 past 20 per hour.
 */
export default defineOrganizationHandler(async (_event, { guard, actor, body }) => {
  return { organization: await createOrganization(guard, actor, body) }
}, { body: createOrganizationSchema })

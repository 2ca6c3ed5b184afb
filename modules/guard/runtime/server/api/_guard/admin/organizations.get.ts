import { z } from 'zod'
import { listOrganizationsForConsole } from '#guard/core/organizations/console'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { readAdminQuery } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

const query = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).default(0),
})

/**
 * GET /api/_guard/admin/organizations?q=&limit=&offset= → `{ organizations: [{ id, name, slug, publicMetadata,
 * createdBy, createdAt, updatedAt, memberCount }], total }`, by name; `q` matches part of the name or the slug,
 * case-insensitively. Every organization, whether or not organizations are switched on.
 */
export default defineAdminHandler(async (event, { guard, admin }) => {
  return listOrganizationsForConsole(guard, operatorActor(event, admin), readAdminQuery(event, query))
})

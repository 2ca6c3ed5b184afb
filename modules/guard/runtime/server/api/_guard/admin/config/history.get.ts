import { z } from 'zod'
import { listConfigHistory } from '#guard/core/store/config-versions'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { readAdminQuery } from '#guard/server/utils/admin-request'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional(),
})

/** GET /api/_guard/admin/config/history?limit=&before= → `{ versions: [{ version, createdAt, createdBy, createdByEmail, note }] }`, newest first. */
export default defineAdminHandler(async (event, { guard }) => {
  const { limit, before } = readAdminQuery(event, query)
  return { versions: await listConfigHistory(guard.db, { limit, before }) }
})

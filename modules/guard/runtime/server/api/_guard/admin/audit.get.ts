import { z } from 'zod'
import { listAudit } from '#guard/core/store/audit'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { readAdminQuery } from '#guard/server/utils/admin-request'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional(),
})

/** GET /api/_guard/admin/audit?limit=&before= → `{ entries: [{ id, at, actorId, actorEmail, action, target, before, after, ip }], nextBefore }`, newest first. */
export default defineAdminHandler(async (event, { guard }) => {
  const { limit, before } = readAdminQuery(event, query)
  return listAudit(guard.db, { limit, before })
})

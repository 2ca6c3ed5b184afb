import { z } from 'zod'
import { listAudit } from '../../../../core/store/audit'
import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { requireAdmin } from '../../../utils/require-admin'
import { useGuard } from '../../../utils/guard-instance'
import { readAdminQuery } from '../../../utils/admin-request'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional(),
})

/** GET /api/_guard/admin/audit?limit=&before= → `{ entries: [{ id, at, actorId, actorEmail, action, target, before, after, ip }], nextBefore }`, newest first. */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const { limit, before } = readAdminQuery(event, query)
  return listAudit((await useGuard()).db, { limit, before })
})

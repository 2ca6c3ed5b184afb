import { z } from 'zod'
import { listConfigHistory } from '../../../../../core/store/config-versions'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { useGuard } from '../../../../utils/guard-instance'
import { readAdminQuery } from '../../../../utils/admin-request'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional(),
})

/** GET /api/_guard/admin/config/history?limit=&before= → `{ versions: [{ version, createdAt, createdBy, createdByEmail, note }] }`, newest first. */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const { limit, before } = readAdminQuery(event, query)
  return { versions: await listConfigHistory((await useGuard()).db, { limit, before }) }
})

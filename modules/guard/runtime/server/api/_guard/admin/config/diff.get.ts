import { z } from 'zod'
import { diffDocuments } from '../../../../../core/admin/diff'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { useGuard } from '../../../../utils/guard-instance'
import { readAdminQuery } from '../../../../utils/admin-request'
import { configVersionOr404 } from '../../../../utils/admin-config'

const query = z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) })

/** GET /api/_guard/admin/config/diff?from=N&to=M → `{ from, to, changes: [{ path, kind, before?, after? }] }` (from N to M). */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const { from, to } = readAdminQuery(event, query)
  const guard = await useGuard()
  const [before, after] = await Promise.all([configVersionOr404(guard, from), configVersionOr404(guard, to)])
  return { from, to, changes: diffDocuments(before.document, after.document) }
})

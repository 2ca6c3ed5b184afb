import { z } from 'zod'
import { diffDocuments } from '#guard/core/admin/diff'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { readAdminQuery } from '#guard/server/utils/admin-request'
import { configVersionOr404 } from '#guard/server/utils/admin-config'

const query = z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) })

/** GET /api/_guard/admin/config/diff?from=N&to=M → `{ from, to, changes: [{ path, kind, before?, after? }] }` (from N to M). */
export default defineAdminHandler(async (event, { guard }) => {
  const { from, to } = readAdminQuery(event, query)
  const [before, after] = await Promise.all([configVersionOr404(guard, from), configVersionOr404(guard, to)])
  return { from, to, changes: diffDocuments(before.document, after.document) }
})

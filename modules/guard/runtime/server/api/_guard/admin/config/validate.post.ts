import { z } from 'zod'
import { reviewConfig } from '../../../../../core/admin/review'
import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { guardPublicSettings, useGuard } from '../../../../utils/guard-instance'

const body = z.object({ document: z.record(z.string(), z.unknown()) })

/**
 * POST /api/_guard/admin/config/validate `{ document }` → `{ ok, fields, kind? }`:
 * the checks a save runs (schema, then safety), saving nothing.
 */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const { document } = await readGuardBody(event, body)
  const guard = await useGuard()
  const review = reviewConfig(document, guard.now() / 1000, guardPublicSettings().consolePath)
  return review.ok ? { ok: true, fields: [] } : { ok: false, kind: review.kind, fields: review.fields }
})

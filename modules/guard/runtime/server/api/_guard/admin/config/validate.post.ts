import { z } from 'zod'
import { reviewConfig } from '#guard/core/admin/review'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { guardPublicSettings } from '#guard/server/utils/guard-instance'

const body = z.object({ document: z.record(z.string(), z.unknown()) })

/**
 * POST /api/_guard/admin/config/validate `{ document }` → `{ ok, fields, kind? }`:
 * the checks a save runs (schema, then safety), saving nothing.
 */
export default defineAdminHandler(async (_event, { guard, body: { document } }) => {
  const review = reviewConfig(document, guard.now() / 1000, guardPublicSettings().consolePath)
  return review.ok ? { ok: true, fields: [] } : { ok: false, kind: review.kind, fields: review.fields }
}, { body })

import { z } from 'zod'
import { defineGuardHandler } from '../../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../../utils/require-admin'
import { useGuard } from '../../../../../utils/guard-instance'
import { adminRouteParam } from '../../../../../utils/admin-request'
import { configVersionBody, configVersionOr404 } from '../../../../../utils/admin-config'
import { guardError } from '../../../../../utils/errors'

const versionNumber = z.coerce.number().int().min(1)

/** GET /api/_guard/admin/config/versions/:version → `{ version, document, createdAt, createdBy, note }`; 404 `version_not_found`. */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const parsed = versionNumber.safeParse(adminRouteParam(event, 'version'))
  if (!parsed.success) throw guardError(422, 'invalid_request', 'version: give a version number from the history, such as 3', { field: 'version' })
  return configVersionBody(await configVersionOr404(await useGuard(), parsed.data))
})

import { z } from 'zod'
import { GuardError } from '#guard/core/errors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { configVersionBody, configVersionOr404 } from '#guard/server/utils/admin-config'

const versionNumber = z.coerce.number().int().min(1)

/** GET /api/_guard/admin/config/versions/:version → `{ version, document, createdAt, createdBy, note }`; 404 `version_not_found`. */
export default defineAdminHandler(async (event, { guard }) => {
  const parsed = versionNumber.safeParse(adminRouteParam(event, 'version'))
  if (!parsed.success) throw new GuardError('invalid_request', 'version: give a version number from the history, such as 3', { field: 'version' })
  return configVersionBody(await configVersionOr404(guard, parsed.data))
})

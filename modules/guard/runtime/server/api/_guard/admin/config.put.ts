import { defineGuardHandler, readGuardBody } from '../../../utils/define-guard-handler'
import { requireAdmin } from '../../../utils/require-admin'
import { useGuard } from '../../../utils/guard-instance'
import { adminSaveBody, saveAdminConfig } from '../../../utils/admin-config'

/**
 * PUT /api/_guard/admin/config `{ version, document }` → `{ version, document }`.
 * The next request is judged by the saved document. 409 `stale_version`,
 * 422 `invalid_config` / `unsafe_config`.
 */
export default defineGuardHandler(async (event) => {
  const admin = await requireAdmin(event)
  const { version, document } = await readGuardBody(event, adminSaveBody)
  return saveAdminConfig(event, await useGuard(), admin.userId, { document, expectedVersion: version, action: 'config.save', note: 'saved in the admin console' })
})

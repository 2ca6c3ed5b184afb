import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminSaveBody, saveAdminConfig } from '#guard/server/utils/admin-config'

/**
 * PUT /api/_guard/admin/config `{ version, document }` → `{ version, document }`.
 * The next request is judged by the saved document. 409 `stale_version`,
 * 422 `invalid_config` / `unsafe_config`.
 */
export default defineAdminHandler(async (event, { guard, admin, body: { version, document } }) => {
  return saveAdminConfig(event, guard, admin.userId, { document, expectedVersion: version, action: 'config.save', note: 'saved in the admin console' })
}, { body: adminSaveBody })

import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminSaveBody, saveAdminConfig } from '#guard/server/utils/admin-config'

/** POST /api/_guard/admin/config/import `{ document, version }` → `{ version, document }`: like PUT /admin/config, noted "imported". */
export default defineAdminHandler(async (event, { guard, admin, body: { version, document } }) => {
  const importedFrom = typeof document.version === 'number' ? document.version : null
  return saveAdminConfig(event, guard, admin.userId, {
    document, expectedVersion: version, action: 'config.import', note: 'imported', detail: { importedFrom },
  })
}, { body: adminSaveBody })

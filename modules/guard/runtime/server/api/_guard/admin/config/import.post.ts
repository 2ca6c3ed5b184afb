import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { useGuard } from '../../../../utils/guard-instance'
import { adminSaveBody, saveAdminConfig } from '../../../../utils/admin-config'

/** POST /api/_guard/admin/config/import `{ document, version }` → `{ version, document }`: like PUT /admin/config, noted "imported". */
export default defineGuardHandler(async (event) => {
  const admin = await requireAdmin(event)
  const { version, document } = await readGuardBody(event, adminSaveBody)
  const importedFrom = typeof document.version === 'number' ? document.version : null
  return saveAdminConfig(event, await useGuard(), admin.userId, {
    document, expectedVersion: version, action: 'config.import', note: 'imported', detail: { importedFrom },
  })
})

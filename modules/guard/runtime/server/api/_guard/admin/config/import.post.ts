import { z } from 'zod'
import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { useGuard } from '../../../../utils/guard-instance'
import { saveAdminConfig } from '../../../../utils/admin-config'

const body = z.object({
  /** The version the admin is replacing (the live one they loaded). */
  version: z.number().int().nonnegative(),
  /** An exported document; its own `version` field is ignored. */
  document: z.record(z.string(), z.unknown()),
})

/** POST /api/_guard/admin/config/import `{ document, version }` → `{ version, document }`: like PUT /admin/config, noted "imported". */
export default defineGuardHandler(async (event) => {
  const admin = await requireAdmin(event)
  const { version, document } = await readGuardBody(event, body)
  const importedFrom = typeof document.version === 'number' ? document.version : null
  return saveAdminConfig(event, await useGuard(), admin.userId, {
    document, expectedVersion: version, action: 'config.import', note: 'imported', detail: { importedFrom },
  })
})

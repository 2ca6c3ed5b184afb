import { z } from 'zod'
import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { useGuard } from '../../../../utils/guard-instance'
import { configVersionOr404, saveAdminConfig } from '../../../../utils/admin-config'

const body = z.object({
  version: z.number().int().min(1),
  expectedVersion: z.number().int().nonnegative(),
})

/**
 * POST /api/_guard/admin/config/rollback `{ version, expectedVersion }` → `{ version, document }`:
 * a new version with the content of `version` (history is append-only). Same checks as a save.
 */
export default defineGuardHandler(async (event) => {
  const admin = await requireAdmin(event)
  const { version, expectedVersion } = await readGuardBody(event, body)
  const guard = await useGuard()
  const old = await configVersionOr404(guard, version)
  return saveAdminConfig(event, guard, admin.userId, {
    document: old.document, expectedVersion, action: 'config.rollback', note: `rolled back to v${version}`, detail: { rolledBackTo: version },
  })
})

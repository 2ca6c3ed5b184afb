import { z } from 'zod'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { configVersionOr404, saveAdminConfig } from '#guard/server/utils/admin-config'

const body = z.object({
  version: z.number().int().min(1),
  expectedVersion: z.number().int().nonnegative(),
})

/**
 * POST /api/_guard/admin/config/rollback `{ version, expectedVersion }` → `{ version, document }`:
 * a new version with the content of `version` (history is append-only). Same checks as a save.
 */
export default defineAdminHandler(async (event, { guard, admin, body: { version, expectedVersion } }) => {
  const old = await configVersionOr404(guard, version)
  return saveAdminConfig(event, guard, admin.userId, {
    document: old.document, expectedVersion, action: 'config.rollback', note: `rolled back to v${version}`, detail: { rolledBackTo: version },
  })
}, { body })

import { setResponseHeader } from 'h3'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { useGuard } from '../../../../utils/guard-instance'
import { liveConfigRecord } from '../../../../utils/admin-config'

/**
 * GET /api/_guard/admin/config/export → the stored document of the live
 * version, with its `version`, as the attachment `nuxt-guard-config-v<N>.json`.
 * POST it back to /admin/config/import unchanged to restore it.
 */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const record = await liveConfigRecord(await useGuard())
  setResponseHeader(event, 'content-disposition', `attachment; filename="nuxt-guard-config-v${record.version}.json"`)
  return { version: record.version, ...(record.document as Record<string, unknown>) }
})

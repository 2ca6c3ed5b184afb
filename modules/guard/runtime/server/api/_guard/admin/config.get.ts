import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { requireAdmin } from '../../../utils/require-admin'
import { useGuard } from '../../../utils/guard-instance'
import { liveConfigRecord } from '../../../utils/admin-config'

/** GET /api/_guard/admin/config → `{ version, document, createdAt, createdBy }`: the version requests are judged by now. */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const record = await liveConfigRecord(await useGuard())
  return { version: record.version, document: record.document, createdAt: record.createdAt, createdBy: record.createdBy }
})

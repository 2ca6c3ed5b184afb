import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { liveConfigRecord } from '#guard/server/utils/admin-config'

/** GET /api/_guard/admin/config → `{ version, document, createdAt, createdBy }`: the version requests are judged by now. */
export default defineAdminHandler(async (_event, { guard }) => {
  const record = await liveConfigRecord(guard)
  return { version: record.version, document: record.document, createdAt: record.createdAt, createdBy: record.createdBy }
})

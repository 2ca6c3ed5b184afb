import { setResponseHeader } from 'h3'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { liveConfigRecord } from '#guard/server/utils/admin-config'

/**
 * GET /api/_guard/admin/config/export → the stored document of the live
 * version, with its `version`, as the attachment `nuxt-guard-config-v<N>.json`.
 * To restore it, POST `{ document: <this file>, version: <the live version> }` to
 * /admin/config/import (the `version` inside the file is only kept as where it came from).
 */
export default defineAdminHandler(async (event, { guard }) => {
  const record = await liveConfigRecord(guard)
  setResponseHeader(event, 'content-disposition', `attachment; filename="nuxt-guard-config-v${record.version}.json"`)
  return { version: record.version, ...(record.document as Record<string, unknown>) }
})

import { setActiveOrganization } from '#guard/core/organizations/active'
import { setActiveOrganizationSchema } from '#guard/core/organizations/schema'
import { defineOrganizationHandler, renewCurrentSession } from '#guard/server/utils/define-organization-handler'

/**
 * POST /api/_guard/session/organization `{ organizationId: string | null }` → `{ activeOrganization,
 * claims }`: sets (or clears) this session's active organization and re-mints its token in this
 * response (new cookies), so the next request carries it; your older tokens are stale on every
 * instance. 403 `not_a_member` (nothing changes).
 */
export default defineOrganizationHandler(async (event, { guard, actor, sessionId, body }) => {
  const activeOrganization = await setActiveOrganization(guard, actor, sessionId, body.organizationId)
  const claims = await renewCurrentSession(event, guard, sessionId)
  return { activeOrganization, claims: claims ?? null }
}, { body: setActiveOrganizationSchema })

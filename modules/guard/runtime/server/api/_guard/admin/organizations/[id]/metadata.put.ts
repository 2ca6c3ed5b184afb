import { publicMetadataBody } from '#guard/core/claims/public-metadata'
import { setOrganizationMetadata } from '#guard/core/organizations/metadata'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'
import { USER_CHANGE_EFFECT } from '#guard/server/utils/admin-token-lag'

/**
 * PUT /api/_guard/admin/organizations/:id/metadata `{ publicMetadata }` → `{ organization,
 * effective: 'next_request', effectiveWithinSeconds: 0 }`: replaces the organization's public
 * metadata (a JSON object under 4,096 bytes; templates read it as `{{org.public_metadata.*}}`);
 * sessions with it active carry it from their next request, on every instance. 404
 * `organization_not_found`; 422 `claims_too_large` (naming the claim and the member) when a
 * member's token would be over the size limit; 422 `invalid_request` (field `publicMetadata`).
 * Audited (`organization.metadata`, before and after).
 */
export default defineAdminHandler(async (event, { guard, admin, body: { publicMetadata } }) => {
  const { after } = await setOrganizationMetadata(guard, operatorActor(event, admin), adminRouteParam(event, 'id'), publicMetadata)
  return { organization: after, ...USER_CHANGE_EFFECT }
}, { body: publicMetadataBody })

import { addOrgMember } from '#guard/core/organizations/console'
import { addMemberSchema } from '#guard/core/organizations/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { adminRouteParam } from '#guard/server/utils/admin-request'
import { operatorActor } from '#guard/server/utils/admin-organizations'

/**
 * POST /api/_guard/admin/organizations/:id/members `{ email, role? }` → `{ member: { userId, email, role, joinedAt } }`:
 * adds the user with that address at once (no invitation; `role` defaults to org:member). 404 `user_not_found`
 * (field `email`: invite the address instead), 404 `organization_not_found`, 409 `already_a_member`, 422 for a role
 * the config does not define. Audited (`organization.member_add`).
 */
export default defineAdminHandler(async (event, { guard, admin, body }) => {
  return { member: await addOrgMember(guard, operatorActor(event, admin), adminRouteParam(event, 'id'), body) }
}, { body: addMemberSchema })

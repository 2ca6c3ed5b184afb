import { z } from 'zod'
import { previewClaims } from '#guard/core/admin/claims-preview'
import { toClaimsUser } from '#guard/core/engine/sessions'
import { GuardError } from '#guard/core/errors'
import { enrolledFactorTypes } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { userOr404 } from '#guard/server/utils/admin-users'
import { userOrganizationChoice } from '#guard/core/admin/simulated-organization'

const body = z.object({ template: z.unknown(), userId: z.string().min(1), organizationId: z.string().min(1).max(64).nullable().optional() })

/**
 * POST /api/_guard/admin/claims/preview `{ template, userId, organizationId? }` → `{ claims, bytes, limitBytes }`,
 * rendered for that user by the code that mints session tokens; `organizationId` (one the user
 * belongs to) is the session's active organization for `{{org.*}}` (none: they render null).
 * 422 `invalid_template` `{ fields }`; 422 `invalid_request` naming `organizationId`; 404 `user_not_found`.
 */
export default defineAdminHandler(async (_event, { guard, body: { template, userId, organizationId } }) => {
  const user = await userOr404(guard, userId)
  const policy = guard.live.policy
  const { chosen } = await userOrganizationChoice(guard.db, user.id, organizationId)
  const org = chosen && policy.config.organizations.enabled ? { id: chosen.id, slug: chosen.slug, role: chosen.role, public_metadata: chosen.publicMetadata } : null
  const preview = previewClaims(template, toClaimsUser(user, policy, await enrolledFactorTypes(guard.db, user.id), org))
  if (!preview.ok) throw new GuardError('invalid_template', `${preview.fields[0]!.path}: ${preview.fields[0]!.message}`, { fields: preview.fields })
  return { claims: preview.claims, bytes: preview.bytes, limitBytes: preview.limitBytes }
}, { body })

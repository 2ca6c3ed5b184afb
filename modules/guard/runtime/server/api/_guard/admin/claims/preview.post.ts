import { z } from 'zod'
import { previewClaims } from '#guard/core/admin/claims-preview'
import { toClaimsUser } from '#guard/core/engine/sessions'
import { GuardError } from '#guard/core/errors'
import { enrolledFactorTypes } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { userOr404 } from '#guard/server/utils/admin-users'

const body = z.object({ template: z.unknown(), userId: z.string().min(1) })

/**
 * POST /api/_guard/admin/claims/preview `{ template, userId }` → `{ claims, bytes, limitBytes }`,
 * rendered for that user by the code that mints session tokens.
 * 422 `invalid_template` `{ fields }`; 404 `user_not_found`.
 */
export default defineAdminHandler(async (_event, { guard, body: { template, userId } }) => {
  const user = await userOr404(guard, userId)
  const policy = guard.live.policy
  const preview = previewClaims(template, toClaimsUser(user, policy, await enrolledFactorTypes(guard.db, user.id)))
  if (!preview.ok) throw new GuardError('invalid_template', `${preview.fields[0]!.path}: ${preview.fields[0]!.message}`, { fields: preview.fields })
  return { claims: preview.claims, bytes: preview.bytes, limitBytes: preview.limitBytes }
}, { body })

import { z } from 'zod'
import { previewClaims } from '../../../../../core/admin/claims-preview'
import { toClaimsUser } from '../../../../../core/engine/sessions'
import { enrolledFactorTypes } from '../../../../../core/store/factors'
import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { requireAdmin } from '../../../../utils/require-admin'
import { useGuard } from '../../../../utils/guard-instance'
import { userOr404 } from '../../../../utils/admin-users'
import { guardError } from '../../../../utils/errors'

const body = z.object({ template: z.unknown(), userId: z.string().min(1) })

/**
 * POST /api/_guard/admin/claims/preview `{ template, userId }` → `{ claims, bytes, limitBytes }`,
 * rendered for that user by the code that mints session tokens.
 * 422 `invalid_template` `{ fields }`; 404 `user_not_found`.
 */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const { template, userId } = await readGuardBody(event, body)
  const guard = await useGuard()
  const user = await userOr404(guard, userId)
  const policy = guard.live.policy
  const preview = previewClaims(template, toClaimsUser(user, policy, await enrolledFactorTypes(guard.db, user.id)))
  if (!preview.ok) throw guardError(422, 'invalid_template', `${preview.fields[0]!.path}: ${preview.fields[0]!.message}`, { fields: preview.fields })
  return { claims: preview.claims, bytes: preview.bytes, limitBytes: preview.limitBytes }
})

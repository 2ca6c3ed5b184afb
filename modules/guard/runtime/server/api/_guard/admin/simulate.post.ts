import { z } from 'zod'
import { simulateRequest } from '#guard/core/admin/simulate'
import { validateConfig } from '#guard/core/config/validate'
import { GuardError } from '#guard/core/errors'
import { compilePolicy } from '#guard/core/policy/compile'
import { enrolledFactorTypes } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { userOr404 } from '#guard/server/utils/admin-users'

const body = z.object({
  method: z.string().regex(/^[A-Za-z]{3,10}$/, 'an HTTP method such as GET').default('GET'),
  path: z.string().min(1).max(2048).startsWith('/', 'a path on this site, starting with /'),
  userId: z.string().min(1).optional(),
  mfa: z.boolean().optional(),
  draft: z.record(z.string(), z.unknown()).optional(),
})

/**
 * POST /api/_guard/admin/simulate `{ method, path, userId?, mfa?, draft? }` → the middleware's
 * verdict for that request (same readings, classification and evaluateAccess), against the live
 * config or the unsaved `draft` (422 `invalid_config` when it does not validate).
 */
export default defineAdminHandler(async (_event, { guard, body: request }) => {
  let policy = guard.live.policy
  if (request.draft) {
    const draft = validateConfig(request.draft)
    if (!draft.ok) throw new GuardError('invalid_config', `The draft does not validate: ${draft.issues[0]!.path}: ${draft.issues[0]!.message}`, { fields: draft.issues })
    policy = compilePolicy(draft.config, 0)
  }
  const record = request.userId ? await userOr404(guard, request.userId) : undefined
  const user = record ? { userId: record.id, roles: record.roles, enrolled: await enrolledFactorTypes(guard.db, record.id), emailVerified: record.emailVerified } : null
  // A path the middleware cannot judge: 422 `invalid_request` naming `path` (UnjudgeablePathError).
  const answer = simulateRequest(policy, { method: request.method, path: request.path, user, mfa: request.mfa }, {
    nowSeconds: guard.now() / 1000, version: request.draft ? 'draft' : policy.version,
  })
  return { ...answer, user: record && user ? { id: record.id, email: record.email, emailVerified: record.emailVerified, roles: record.roles, enrolled: user.enrolled } : null }
}, { body })

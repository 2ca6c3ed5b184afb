import { z } from 'zod'
import { simulateRequest } from '#guard/core/admin/simulate'
import { validateConfig } from '#guard/core/config/validate'
import { GuardError } from '#guard/core/errors'
import { compilePolicy } from '#guard/core/policy/compile'
import { enrolledFactorTypes } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { userOr404 } from '#guard/server/utils/admin-users'
import { userOrganizationChoice } from '#guard/core/admin/simulated-organization'

const body = z.object({
  method: z.string().regex(/^[A-Za-z]{3,10}$/, 'an HTTP method such as GET').default('GET'),
  path: z.string().min(1).max(2048).startsWith('/', 'a path on this site, starting with /'),
  userId: z.string().min(1).optional(),
  mfa: z.boolean().optional(),
  /** The simulated session's active organization (one of the user's); absent or null: none. */
  organizationId: z.string().min(1).max(64).nullable().optional(),
  draft: z.record(z.string(), z.unknown()).optional(),
})

/**
 * POST /api/_guard/admin/simulate `{ method, path, userId?, mfa?, organizationId?, draft? }` → the middleware's
 * verdict for that request (same readings, classification and evaluateAccess), against the live
 * config or the unsaved `draft` (422 `invalid_config` when it does not validate). `organizationId`:
 * the session's active organization, one the user belongs to (422 `invalid_request` naming it
 * otherwise); `user.organizations` lists theirs to choose from.
 */
export default defineAdminHandler(async (_event, { guard, body: request }) => {
  let policy = guard.live.policy
  if (request.draft) {
    const draft = validateConfig(request.draft)
    if (!draft.ok) throw new GuardError('invalid_config', `The draft does not validate: ${draft.issues[0]!.path}: ${draft.issues[0]!.message}`, { fields: draft.issues })
    policy = compilePolicy(draft.config, 0)
  }
  const record = request.userId ? await userOr404(guard, request.userId) : undefined
  const orgs = record ? await userOrganizationChoice(guard.db, record.id, request.organizationId) : undefined
  const organization = orgs?.chosen ? { id: orgs.chosen.id, slug: orgs.chosen.slug, role: orgs.chosen.role } : null
  const user = record ? { userId: record.id, roles: record.roles, enrolled: await enrolledFactorTypes(guard.db, record.id), emailVerified: record.emailVerified, organization } : null
  // A path the middleware cannot judge: 422 `invalid_request` naming `path` (UnjudgeablePathError).
  const answer = simulateRequest(policy, { method: request.method, path: request.path, user, mfa: request.mfa }, {
    nowSeconds: guard.now() / 1000, version: request.draft ? 'draft' : policy.version,
  })
  const organizations = orgs?.choices.map(({ id, name, slug, role }) => ({ id, name, slug, role })) ?? []
  return { ...answer, user: record && user ? { id: record.id, email: record.email, emailVerified: record.emailVerified, roles: record.roles, enrolled: user.enrolled, organizations } : null }
}, { body })

import type { H3Event } from 'h3'
import { ADMIN_ROLE } from '../../core/admin/safety'
import type { GuardAuth } from '../../core/policy/auth'
import { requireAuth } from './require-auth'
import { guardError } from './errors'
import { useGuard } from './guard-instance'

export { ADMIN_ROLE }

/**
 * The console API's own check, on every admin route (the page guard is only
 * comfort): signed in, the `admin` role, and — whenever MFA is enforced or
 * the admin has enrolled a second factor — a second factor completed in this
 * session. Throws 401/403 with `{ error, error_description }`.
 *
 * @example
 * export default defineGuardHandler(async (event) => {
 *   const admin = await requireAdmin(event)
 *   return listUsers(admin.userId)
 * })
 */
export async function requireAdmin(event: H3Event): Promise<GuardAuth & { userId: string; sessionId: string }> {
  const auth = await requireAuth(event, { roles: [ADMIN_ROLE] })
  const guard = await useGuard()
  const claim = auth.sessionClaims?.mfa
  const mfaOn = guard.live.policy.config.mfa.enforce !== 'off' || Boolean(claim?.e?.length)
  if (mfaOn && !(claim?.v && Object.keys(claim.c ?? {}).length)) {
    const enrolled = Boolean(claim?.e?.length)
    throw guardError(403, enrolled ? 'INVALID_CLAIMS' : 'mfa_enrollment_required', enrolled
      ? 'The admin console needs your second factor in this session: complete it at the MFA challenge, then retry.'
      : 'The admin console needs a second factor while MFA is on: enroll one first.', enrolled
      ? { claimValidationErrors: [{ id: 'mfa', reason: { message: 'second factor not completed in this session', factorId: claim!.e[0] } }] }
      : {})
  }
  return auth
}

import type { H3Event } from 'h3'
import { ADMIN_ROLE, consoleMfaDenial } from '../../core/admin/console-access'
import type { GuardAuth } from '../../core/policy/auth'
import { strandedBy, strandedDetails, strandedExplanation } from '../../core/mfa/stranded'
import { requireAuth } from './require-auth'
import { guardError } from './errors'
import { useGuard } from './guard-instance'

export { ADMIN_ROLE }

/**
 * The console API's own check, on every admin route (the page guard is only
 * comfort): signed in, the `admin` role, and the console's MFA rule
 * (`consoleMfaDenial`: whenever MFA is enforced or the admin has enrolled a
 * second factor, one completed in this session). Throws 401/403 with
 * `{ error, error_description }`.
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
  const denial = consoleMfaDenial(guard.live.policy.config.mfa, claim)
  if (denial) {
    const stranded = claim && strandedBy(claim.e, guard.live.policy.config.mfa)
    if (stranded) throw guardError(403, 'mfa_reenrollment_required', strandedExplanation(stranded), strandedDetails(stranded))
    throw guardError(403, denial.error, denial.error === 'INVALID_CLAIMS'
      ? 'The admin console needs your second factor in this session: complete it at the MFA challenge, then retry.'
      : 'The admin console needs a second factor while MFA is on: enroll one first.', denial.error === 'INVALID_CLAIMS'
      ? { claimValidationErrors: [{ id: 'mfa', reason: { message: 'second factor not completed in this session', factorId: denial.factorId } }] }
      : {})
  }
  return auth
}

import type { H3Event } from 'h3'
import { ADMIN_ROLE, consoleMfaDenial } from '../../core/admin/console-access'
import type { GuardAuth } from '../../core/policy/auth'
import { strandedBy, strandedDetails, strandedExplanation } from '../../core/mfa/stranded'
import { checkAuth } from './require-auth'
import { GuardError } from './errors'
import { useGuard } from './guard-instance'

export { ADMIN_ROLE }

/**
 * The console API's own check, on every admin route (the page guard is only
 * comfort): signed in, the `admin` role, and the console's MFA rule
 * (`consoleMfaDenial`: whenever MFA is enforced or the admin has enrolled a
 * second factor, one completed in this session). Throws a 401/403
 * GuardError; `defineAdminHandler` calls it before every admin handler.
 *
 * @example
 * const admin = await requireAdmin(event) // { userId, sessionId, roles, … }
 */
export async function requireAdmin(event: H3Event): Promise<GuardAuth & { userId: string; sessionId: string }> {
  const auth = await checkAuth(event, { roles: [ADMIN_ROLE] })
  const guard = await useGuard()
  const claim = auth.sessionClaims?.mfa
  const denial = consoleMfaDenial(guard.live.policy.config.mfa, claim)
  if (denial) {
    const stranded = claim && strandedBy(claim.e, guard.live.policy.config.mfa)
    if (stranded) throw new GuardError('mfa_reenrollment_required', strandedExplanation(stranded), strandedDetails(stranded))
    throw new GuardError(denial.error, denial.error === 'INVALID_CLAIMS'
      ? 'The admin console needs your second factor in this session: complete it at the MFA challenge, then retry.'
      : 'The admin console needs a second factor while MFA is on: enroll one first.', denial.error === 'INVALID_CLAIMS'
      ? { claimValidationErrors: [{ id: 'mfa', reason: { message: 'second factor not completed in this session', factorId: denial.factorId } }] }
      : {})
  }
  return auth
}

import { strandedBy } from '../../../../core/mfa/stranded'
import { enrolledFactorTypes } from '../../../../core/store/factors'
import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { mfaRequest } from '../../../utils/mfa-request'

/**
 * GET /api/_guard/mfa/factors: strategies, enforcement, the user's factors and this session's
 * completions; `stranded` when every factor the user has is switched off (what proves it is
 * them, what to set up), else `null`.
 */
export default defineGuardHandler(async (event) => {
  const { guard, userId, sessionId } = await mfaRequest(event)
  const [status, enrolled] = await Promise.all([guard.mfa.status(userId, sessionId), enrolledFactorTypes(guard.db, userId)])
  return { ...status, stranded: strandedBy(enrolled, guard.live.policy.config.mfa) ?? null }
})

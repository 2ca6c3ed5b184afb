import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { mfaRequest } from '../../../utils/mfa-request'

/** GET /api/_guard/mfa/factors: strategies, enforcement, the user's factors and this session's completions. */
export default defineGuardHandler(async (event) => {
  const { guard, userId, sessionId } = await mfaRequest(event)
  return guard.mfa.status(userId, sessionId)
})

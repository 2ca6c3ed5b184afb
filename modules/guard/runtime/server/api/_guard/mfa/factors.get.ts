import { requireEnrollmentRight } from '#guard/core/mfa/reenroll'
import { strandedBy } from '#guard/core/mfa/stranded'
import { enrolledFactorTypes } from '#guard/core/store/factors'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { emailCodeAllowed } from '#guard/core/email-verification/factor-gate'

/**
 * GET /api/_guard/mfa/factors: strategies, enforcement, the user's factors and this session's
 * completions; `stranded` when every factor the user has is switched off (what proves it is
 * them, what to set up, and `confirmed`: this session has proved it and may set one up), else `null`;
 * `emailCodeNeedsVerifiedAddress`: email codes are on but cannot be set up until the address is verified.
 */
export default defineAccountHandler(async (_event, { guard, user, userId, sessionId }) => {
  const [status, enrolled] = await Promise.all([guard.mfa.status(userId, sessionId), enrolledFactorTypes(guard.db, userId)])
  const stranded = strandedBy(enrolled, guard.live.policy.config.mfa)
  const confirmed = stranded && await requireEnrollmentRight(guard.mfa, sessionId, userId).then(() => true, () => false)
  const emailCodeNeedsVerifiedAddress = status.strategies.email_code && !emailCodeAllowed(guard.live.policy.config.account.emailVerification, user.emailVerified)
  return { ...status, stranded: stranded ? { ...stranded, confirmed: Boolean(confirmed) } : null, emailCodeNeedsVerifiedAddress }
})

import { sendVerificationEmail } from '#guard/core/email-verification/verify'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'
import { emailLink } from '#guard/server/utils/email-links'

/**
 * POST /api/_guard/email-verification/send: emails the signed-in user a code that verifies their
 * address → `{ verified: false, sentTo, expiresInSeconds }`, or `{ verified: true, email }` when it
 * already is (the session token is then reissued, so it says so at once). 5 per user per 15 minutes
 * (429 with Retry-After); 409 `email_verification_off` when the site verifies no addresses.
 */
export default defineAccountHandler(async (event, { guard, user, sessionId }) => {
  const pageUrl = emailLink(event, guard.live.policy.config.account.verifyEmailUrl)
  const { answer, delivery } = await sendVerificationEmail(guard, user, { pageUrl })
  void delivery.catch(error => console.error('[nuxt-guard] a verification email could not be sent:', error))
  if (answer.verified) {
    const issued = await guard.sessions.reissue(sessionId)
    if (issued) adoptIssuedToken(event, guard, issued)
  }
  return answer
})

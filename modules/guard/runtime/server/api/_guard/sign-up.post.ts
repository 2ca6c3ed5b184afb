import { signUpSchema } from '#guard/core/engine/credentials'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { startSession } from '#guard/server/utils/start-session'
import { verifyAfterSignUp } from '#guard/core/email-verification/verify'
import { useGuard } from '#guard/server/utils/guard-instance'
import { assertAcceptablePassword } from '#guard/core/passwords/check'
import { emailLink } from '#guard/server/utils/email-links'

/** POST /api/_guard/sign-up `{ email, password }`: creates the user (the first one becomes admin) and signs in; 409 `email_taken`; 422 `weak_password` or `breached_password` (the reason in `fields.password`). */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signUpSchema)
  const answer = await startSession(event, credentials.redirect_url, async (guard, origin) => {
    await assertAcceptablePassword(guard, credentials.password, { email: credentials.email })
    return guard.sessions.signUp(credentials, origin)
  })
  // The verification code goes out after the answer (unless account.emailVerification is off).
  const guard = await useGuard()
  const pageUrl = emailLink(event, guard.live.policy.config.account.verifyEmailUrl)
  void verifyAfterSignUp(guard, answer.userId, { pageUrl }).catch(error => console.error('[nuxt-guard] the sign-up verification email could not be sent:', error))
  return answer
})

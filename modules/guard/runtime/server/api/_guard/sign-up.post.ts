import { signUpSchema } from '#guard/core/engine/credentials'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { startSession } from '#guard/server/utils/start-session'
import { verifyAfterSignUp } from '#guard/core/email-verification/verify'
import { useGuard } from '#guard/server/utils/guard-instance'
import { assertAcceptablePassword } from '#guard/core/passwords/check'
import { emailLink } from '#guard/server/utils/email-links'
import { sessionParty } from '#guard/server/utils/request-options'
import { signUpToVerify } from '#guard/core/email-verification/sign-up-first'
import { countUsers } from '#guard/core/store/users'

/**
 * POST /api/_guard/sign-up `{ email, password }`: creates the user (the first one becomes admin) and
 * signs in; 409 `email_taken`; 422 `weak_password` or `breached_password` (the reason in
 * `fields.password`). With `account.enumerationProtection` (once the site has its first user)
 * nobody is signed in yet: every address gets `{ verificationRequired: true, email,
 * expiresInSeconds, redirectTo }` — a new one a code, a taken one a notice to its owner — and the
 * code finishes it at POST /email-verification/sign-in, so sign-up tells no one which addresses
 * have accounts.
 */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signUpSchema)
  const current = await useGuard()
  const { account, signUpUrl, signInUrl } = current.live.policy.config
  if (account.enumerationProtection && await countUsers(current.db) > 0) {
    sessionParty(event) // 403 unauthorized_party from an origin authorizedParties does not list, as for any sign-up
    await assertAcceptablePassword(current, credentials.password, { email: credentials.email })
    const pageUrl = emailLink(event, `${signUpUrl}?${new URLSearchParams({ verify: credentials.email })}`)
    const { answer, delivery } = await signUpToVerify(current, credentials, { pageUrl, signInUrl: emailLink(event, signInUrl) })
    void delivery.catch(error => console.error('[nuxt-guard] the sign-up email could not be sent:', error))
    const query = new URLSearchParams({ verify: answer.email })
    if (credentials.redirect_url) query.set('redirect_url', credentials.redirect_url)
    return { ...answer, redirectTo: `${signUpUrl}?${query}` }
  }
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

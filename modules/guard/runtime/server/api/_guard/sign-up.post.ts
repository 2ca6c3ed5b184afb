import { signUpSchema } from '#guard/core/engine/credentials'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { startSession } from '#guard/server/utils/start-session'
import { assertAcceptablePassword } from '#guard/core/passwords/check'

/** POST /api/_guard/sign-up `{ email, password }`: creates the user (the first one becomes admin) and signs in; 409 `email_taken`; 422 `weak_password` or `breached_password` (the reason in `fields.password`). */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signUpSchema)
  return startSession(event, credentials.redirect_url, async (guard, origin) => {
    await assertAcceptablePassword(guard, credentials.password, { email: credentials.email })
    return guard.sessions.signUp(credentials, origin)
  })
})

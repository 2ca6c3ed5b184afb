import { signUpSchema } from '#guard/core/engine/credentials'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { startSession } from '#guard/server/utils/start-session'

/** POST /api/_guard/sign-up `{ email, password }`: creates the user (the first one becomes admin) and signs in; 409 `email_taken`. */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signUpSchema)
  return startSession(event, credentials.redirect_url, (guard, origin) => guard.sessions.signUp(credentials, origin))
})

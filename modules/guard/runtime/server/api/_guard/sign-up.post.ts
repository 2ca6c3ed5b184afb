import { signUpSchema } from '../../../core/engine/credentials'
import { EmailTakenError } from '../../../core/store/users'
import { defineGuardHandler, readGuardBody } from '../../utils/define-guard-handler'
import { startSession } from '../../utils/start-session'
import { guardError } from '../../utils/errors'

/** POST /api/_guard/sign-up `{ email, password }`: creates the user (the first one becomes admin) and signs in. */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signUpSchema)
  return startSession(event, credentials.redirect_url, (guard, origin) => guard.sessions.signUp(credentials, origin).catch((error) => {
    if (error instanceof EmailTakenError) throw guardError(409, 'email_taken', 'An account with this email address already exists; sign in instead.', { field: 'email' })
    throw error
  }))
})

import { signInSchema } from '../../../core/engine/credentials'
import { InvalidCredentialsError } from '../../../core/engine/sessions'
import { defineGuardHandler, readGuardBody } from '../../utils/define-guard-handler'
import { startSession } from '../../utils/start-session'
import { guardError } from '../../utils/errors'

/** POST /api/_guard/sign-in `{ email, password }`: signs in and says which factors come next. */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signInSchema)
  return startSession(event, credentials.redirect_url, (guard, origin) => guard.sessions.signIn(credentials, origin).catch((error) => {
    if (error instanceof InvalidCredentialsError) throw guardError(401, 'invalid_credentials', 'The email or password is incorrect.')
    throw error
  }))
})

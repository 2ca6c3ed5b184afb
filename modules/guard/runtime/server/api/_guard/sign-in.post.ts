import { setResponseHeader } from 'h3'
import { signInSchema } from '../../../core/engine/credentials'
import { InvalidCredentialsError } from '../../../core/engine/sessions'
import { SignInThrottledError } from '../../../core/engine/sign-in-throttle'
import { defineGuardHandler, readGuardBody } from '../../utils/define-guard-handler'
import { startSession } from '../../utils/start-session'
import { guardError } from '../../utils/errors'
import { useGuard } from '../../utils/guard-instance'
import { readKnownDevices, rememberKnownDevice } from '../../utils/known-device'

/**
 * POST /api/_guard/sign-in `{ email, password }`: signs in and says which
 * factors come next; 429 with Retry-After when the sign-in throttle refuses
 * (README "Throttling and client addresses"). A sign-in that needs no second
 * factor marks the browser as known for the account.
 */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signInSchema)
  const guard = await useGuard()
  guard.mfa.pruneOccasionally()
  return startSession(event, credentials.redirect_url, (guard, origin) => guard.sessions.signIn(credentials, { ...origin, knownDevices: readKnownDevices(event) }).then(
    async (issued) => {
      if (!issued.claims.mfa?.e.length) await rememberKnownDevice(event, guard, issued.user)
      return issued
    },
    (error: unknown) => {
      if (error instanceof SignInThrottledError) {
        setResponseHeader(event, 'retry-after', error.retryAfterSeconds)
        throw guardError(429, 'too_many_attempts', error.message, { retryAfterSeconds: error.retryAfterSeconds })
      }
      if (error instanceof InvalidCredentialsError) throw guardError(401, 'invalid_credentials', 'The email or password is incorrect.')
      throw error
    },
  ))
})

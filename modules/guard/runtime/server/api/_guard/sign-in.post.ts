import { signInSchema } from '#guard/core/engine/credentials'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { startSession } from '#guard/server/utils/start-session'
import { useGuard } from '#guard/server/utils/guard-instance'
import { readKnownDevices, rememberKnownDevice } from '#guard/server/utils/known-device'

/**
 * POST /api/_guard/sign-in `{ email, password }`: signs in and says which
 * factors come next; 401 `invalid_credentials`; 429 `too_many_attempts` with
 * Retry-After when the sign-in throttle refuses (README "Throttling and
 * client addresses"). A sign-in that needs no second factor marks the
 * browser as known for the account.
 */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signInSchema)
  const guard = await useGuard()
  guard.mfa.pruneOccasionally()
  return startSession(event, credentials.redirect_url, async (guard, origin) => {
    const issued = await guard.sessions.signIn(credentials, { ...origin, knownDevices: readKnownDevices(event) })
    if (!issued.claims.mfa?.e.length) await rememberKnownDevice(event, guard, issued.user)
    return issued
  })
})

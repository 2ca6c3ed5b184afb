import { defineGuardHandler } from '#guard/server/utils/define-guard-handler'
import { clearSessionCookies } from '#guard/server/utils/cookies'
import { getAuth } from '#guard/server/utils/get-auth'
import { guardSettings, useGuard } from '#guard/server/utils/guard-instance'

/** POST /api/_guard/sign-out: ends this session everywhere and clears the cookies. */
export default defineGuardHandler(async (event) => {
  const { sessionId } = getAuth(event)
  if (sessionId) await (await useGuard()).revokeSession(sessionId)
  clearSessionCookies(event, guardSettings().cookieSecure)
  return { signedOut: Boolean(sessionId) }
})

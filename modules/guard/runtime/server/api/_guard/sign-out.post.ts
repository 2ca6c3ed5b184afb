import { defineGuardHandler } from '../../utils/define-guard-handler'
import { clearSessionCookies } from '../../utils/cookies'
import { getAuth } from '../../utils/get-auth'
import { guardSettings, useGuard } from '../../utils/guard-instance'

/** POST /api/_guard/sign-out: ends this session everywhere and clears the cookies. */
export default defineGuardHandler(async (event) => {
  const { sessionId } = getAuth(event)
  if (sessionId) await (await useGuard()).revokeSession(sessionId)
  clearSessionCookies(event, guardSettings().cookieSecure)
  return { signedOut: Boolean(sessionId) }
})

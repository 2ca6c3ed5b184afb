import { getRequestIP, setResponseHeader } from 'h3'
import { signInSchema } from '../../../core/engine/credentials'
import { InvalidCredentialsError } from '../../../core/engine/sessions'
import { hitRateLimit, rateLimitWait } from '../../../core/store/rate-limits'
import { defineGuardHandler, readGuardBody } from '../../utils/define-guard-handler'
import { startSession } from '../../utils/start-session'
import { guardError } from '../../utils/errors'
import { useGuard } from '../../utils/guard-instance'

/** Failed sign-ins one IP address may make per 15 minutes before it waits 15 minutes. */
const SIGN_IN_IP_RULE = { limit: 20, windowSeconds: 900, blockSeconds: 900 }

/** POST /api/_guard/sign-in `{ email, password }`: signs in and says which factors come next; 429 after too many failures from one IP. */
export default defineGuardHandler(async (event) => {
  const credentials = await readGuardBody(event, signInSchema)
  const guard = await useGuard()
  guard.mfa.pruneOccasionally()
  const key = `sign-in-ip:${getRequestIP(event) ?? 'unknown'}`
  const tooMany = (retryAfterSeconds: number) => {
    setResponseHeader(event, 'retry-after', retryAfterSeconds)
    return guardError(429, 'too_many_attempts', `Too many failed sign-ins from your network; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`, { retryAfterSeconds })
  }
  const wait = await rateLimitWait(guard.db, key, new Date(guard.now()))
  if (wait) throw tooMany(wait)
  return startSession(event, credentials.redirect_url, (guard, origin) => guard.sessions.signIn(credentials, origin).catch(async (error) => {
    if (!(error instanceof InvalidCredentialsError)) throw error
    const hit = await hitRateLimit(guard.db, key, SIGN_IN_IP_RULE, new Date(guard.now()))
    if (!hit.allowed) throw tooMany(hit.retryAfterSeconds)
    throw guardError(401, 'invalid_credentials', 'The email or password is incorrect.')
  }))
})

import { z } from 'zod'
import { confirmEmailVerification } from '#guard/core/email-verification/verify'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'
import { clientAddress } from '#guard/server/utils/client-address'

const body = z.object({ code: z.string().trim().min(1, 'enter the code from the email').max(32, 'that is not a verification code') })

/**
 * POST /api/_guard/email-verification/confirm `{ code }` → `{ verified: true, email }`: verifies the
 * signed-in user's address; this session's token is reissued at once and every other session of the
 * user carries `email_verified: true` from its next request. 400 `invalid_verification_code`
 * (`attemptsRemaining`) for a wrong, used, expired or another account's code.
 */
export default defineAccountHandler(async (event, { guard, user, sessionId, body: { code } }) => {
  const updated = await confirmEmailVerification(guard, { user, code, ip: clientAddress(event) })
  const issued = await guard.sessions.reissue(sessionId)
  if (issued) adoptIssuedToken(event, guard, issued)
  return { verified: true as const, email: updated.email }
}, { body })

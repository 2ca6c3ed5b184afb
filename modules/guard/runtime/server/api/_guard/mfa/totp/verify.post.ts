import { z } from 'zod'
import { confirmTotpEnrollment } from '#guard/core/mfa/totp/service'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'

const body = z.object({ code: z.string().trim().regex(/^\d{6}$/, 'enter the 6-digit code from your authenticator app') })

/** POST /api/_guard/mfa/totp/verify `{ code }`: confirms the pending authenticator app; the session token is reissued at once. */
export default defineAccountHandler(async (event, { guard, userId, sessionId, body: { code } }) => {
  const { issued, recoveryCodes } = await confirmTotpEnrollment(guard.mfa, { userId, sessionId, code })
  adoptIssuedToken(event, guard, issued)
  return { enrolled: true, factor: 'totp', ...(recoveryCodes ? { recoveryCodes } : {}) }
}, { body, secondFactor: 'enroll' })

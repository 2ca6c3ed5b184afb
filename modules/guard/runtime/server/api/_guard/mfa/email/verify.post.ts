import { z } from 'zod'
import { confirmEmailEnrollment } from '#guard/core/mfa/email-code/service'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'

const body = z.object({ code: z.string().trim().regex(/^\d{6}$/, 'enter the 6-digit code from the email') })

/** POST /api/_guard/mfa/email/verify `{ code }`: confirms email codes as a factor; the session token is reissued at once. */
export default defineAccountHandler(async (event, { guard, user, sessionId, body: { code } }) => {
  const { issued, recoveryCodes } = await confirmEmailEnrollment(guard.mfa, { userId: user.id, sessionId, email: user.email, code })
  adoptIssuedToken(event, guard, issued)
  return { enrolled: true, factor: 'email_code', ...(recoveryCodes ? { recoveryCodes } : {}) }
}, { body, secondFactor: 'enroll' })

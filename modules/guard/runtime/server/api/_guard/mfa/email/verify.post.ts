import { z } from 'zod'
import { confirmEmailEnrollment } from '../../../../../core/mfa/email-code/service'
import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { mfaCall, mfaRequest, adoptIssuedToken } from '../../../../utils/mfa-request'

const body = z.object({ code: z.string().trim().regex(/^\d{6}$/, 'enter the 6-digit code from the email') })

/** POST /api/_guard/mfa/email/verify `{ code }`: confirms email codes as a factor; the session token is reissued at once. */
export default defineGuardHandler(async (event) => {
  const { code } = await readGuardBody(event, body)
  const { guard, user, sessionId } = await mfaRequest(event, { secondFactor: 'enroll' })
  const { issued, recoveryCodes } = await mfaCall(event, () => confirmEmailEnrollment(guard.mfa, { userId: user.id, sessionId, email: user.email, code }))
  adoptIssuedToken(event, guard, issued)
  return { enrolled: true, factor: 'email_code', ...(recoveryCodes ? { recoveryCodes } : {}) }
})

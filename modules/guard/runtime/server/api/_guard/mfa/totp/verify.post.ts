import { z } from 'zod'
import { confirmTotpEnrollment } from '../../../../../core/mfa/totp/service'
import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { mfaCall, mfaRequest, adoptIssuedToken } from '../../../../utils/mfa-request'

const body = z.object({ code: z.string().trim().regex(/^\d{6}$/, 'enter the 6-digit code from your authenticator app') })

/** POST /api/_guard/mfa/totp/verify `{ code }`: confirms the pending authenticator app; the session token is reissued at once. */
export default defineGuardHandler(async (event) => {
  const { code } = await readGuardBody(event, body)
  const { guard, userId, sessionId } = await mfaRequest(event, { secondFactor: 'enroll' })
  const { issued, recoveryCodes } = await mfaCall(event, () => confirmTotpEnrollment(guard.mfa, { userId, sessionId, code }))
  adoptIssuedToken(event, guard, issued)
  return { enrolled: true, factor: 'totp', ...(recoveryCodes ? { recoveryCodes } : {}) }
})

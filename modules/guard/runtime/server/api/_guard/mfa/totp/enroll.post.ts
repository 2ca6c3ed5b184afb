import { startTotpEnrollment } from '../../../../../core/mfa/totp/service'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { mfaCall, mfaRequest, totpIssuer } from '../../../../utils/mfa-request'

/** POST /api/_guard/mfa/totp/enroll: a new pending authenticator-app secret → `{ secret, uri, qrSvg }`. */
export default defineGuardHandler(async (event) => {
  const { guard, user, sessionId } = await mfaRequest(event, { secondFactor: 'enroll' })
  return mfaCall(event, () => startTotpEnrollment(guard.mfa, { userId: user.id, sessionId, account: user.email, issuer: totpIssuer(event) }))
})

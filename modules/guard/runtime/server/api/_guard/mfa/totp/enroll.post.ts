import { startTotpEnrollment } from '#guard/core/mfa/totp/service'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { totpIssuer } from '#guard/server/utils/mfa-request'

/** POST /api/_guard/mfa/totp/enroll: a new pending authenticator-app secret → `{ secret, uri, qrSvg }`. */
export default defineAccountHandler((event, { guard, user, sessionId }) => {
  return startTotpEnrollment(guard.mfa, { userId: user.id, sessionId, account: user.email, issuer: totpIssuer(event) })
}, { secondFactor: 'enroll' })

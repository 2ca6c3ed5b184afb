import { webauthnRegisterOptions } from '#guard/core/mfa/webauthn/service'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { webauthnOrigin } from '#guard/server/utils/mfa-webauthn'

/** POST /api/_guard/mfa/webauthn/register/options → PublicKeyCredentialCreationOptionsJSON for `startRegistration()`. */
export default defineAccountHandler((event, { guard, user, sessionId }) => {
  return webauthnRegisterOptions(guard.mfa, { userId: user.id, sessionId, email: user.email, origin: webauthnOrigin(event) })
}, { secondFactor: 'enroll' })

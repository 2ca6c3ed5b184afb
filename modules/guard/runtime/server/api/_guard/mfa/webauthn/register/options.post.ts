import { webauthnRegisterOptions } from '../../../../../../core/mfa/webauthn/service'
import { defineGuardHandler } from '../../../../../utils/define-guard-handler'
import { mfaCall, mfaRequest } from '../../../../../utils/mfa-request'
import { webauthnOrigin } from '../../../../../utils/mfa-webauthn'

/** POST /api/_guard/mfa/webauthn/register/options → PublicKeyCredentialCreationOptionsJSON for `startRegistration()`. */
export default defineGuardHandler(async (event) => {
  const { guard, user, sessionId } = await mfaRequest(event, { secondFactor: 'enroll' })
  return mfaCall(event, () => webauthnRegisterOptions(guard.mfa, { userId: user.id, sessionId, email: user.email, origin: webauthnOrigin(event) }))
})

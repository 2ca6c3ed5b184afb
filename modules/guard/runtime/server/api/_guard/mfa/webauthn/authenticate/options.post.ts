import { z } from 'zod'
import { webauthnAuthenticateOptions } from '../../../../../../core/mfa/webauthn/service'
import { defineGuardHandler, readGuardBody } from '../../../../../utils/define-guard-handler'
import { mfaCall, mfaRequest } from '../../../../../utils/mfa-request'
import { webauthnOrigin } from '../../../../../utils/mfa-webauthn'

const body = z.object({ mfaToken: z.string().max(4_096).optional() })

/** POST /api/_guard/mfa/webauthn/authenticate/options `{ mfaToken? }` → PublicKeyCredentialRequestOptionsJSON for `startAuthentication()`. */
export default defineGuardHandler(async (event) => {
  const { mfaToken } = await readGuardBody(event, body)
  const { guard, userId, sessionId } = await mfaRequest(event)
  return mfaCall(event, async () => {
    if (mfaToken !== undefined) await guard.mfa.verifyStepUpToken(mfaToken, sessionId)
    return webauthnAuthenticateOptions(guard.mfa, { userId, sessionId, origin: webauthnOrigin(event) })
  })
})

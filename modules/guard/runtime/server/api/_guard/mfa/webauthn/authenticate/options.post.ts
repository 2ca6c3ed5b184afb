import { z } from 'zod'
import { webauthnAuthenticateOptions } from '#guard/core/mfa/webauthn/service'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { webauthnOrigin } from '#guard/server/utils/mfa-webauthn'

const body = z.object({ mfaToken: z.string().max(4_096).optional() })

/** POST /api/_guard/mfa/webauthn/authenticate/options `{ mfaToken? }` → PublicKeyCredentialRequestOptionsJSON for `startAuthentication()`. */
export default defineAccountHandler(async (event, { guard, userId, sessionId, body: { mfaToken } }) => {
  if (mfaToken !== undefined) await guard.mfa.verifyStepUpToken(mfaToken, sessionId)
  return webauthnAuthenticateOptions(guard.mfa, { userId, sessionId, origin: webauthnOrigin(event) })
}, { body })

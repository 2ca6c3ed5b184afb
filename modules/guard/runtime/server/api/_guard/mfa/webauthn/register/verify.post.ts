import { z } from 'zod'
import { webauthnRegister } from '../../../../../../core/mfa/webauthn/service'
import { defineGuardHandler, readGuardBody } from '../../../../../utils/define-guard-handler'
import { mfaCall, mfaRequest, adoptIssuedToken } from '../../../../../utils/mfa-request'
import { webauthnOrigin } from '../../../../../utils/mfa-webauthn'

const body = z.object({ response: z.record(z.string(), z.unknown()), label: z.string().trim().max(64).optional() })

/** POST /api/_guard/mfa/webauthn/register/verify `{ response, label? }`: stores the key; the session token is reissued at once. */
export default defineGuardHandler(async (event) => {
  const { response, label } = await readGuardBody(event, body)
  const { guard, userId, sessionId } = await mfaRequest(event, { secondFactor: 'enroll' })
  const { id, issued, recoveryCodes } = await mfaCall(event, () => webauthnRegister(guard.mfa, { userId, sessionId, origin: webauthnOrigin(event), response, label }))
  adoptIssuedToken(event, guard, issued)
  return { enrolled: true, factor: 'webauthn', id, ...(recoveryCodes ? { recoveryCodes } : {}) }
})

import { z } from 'zod'
import { webauthnRegister } from '#guard/core/mfa/webauthn/service'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'
import { webauthnOrigin } from '#guard/server/utils/mfa-webauthn'

const body = z.object({ response: z.record(z.string(), z.unknown()), label: z.string().trim().max(64).optional() })

/** POST /api/_guard/mfa/webauthn/register/verify `{ response, label? }`: stores the key; the session token is reissued at once. */
export default defineAccountHandler(async (event, { guard, userId, sessionId, body: { response, label } }) => {
  const { id, issued, recoveryCodes } = await webauthnRegister(guard.mfa, { userId, sessionId, origin: webauthnOrigin(event), response, label })
  adoptIssuedToken(event, guard, issued)
  return { enrolled: true, factor: 'webauthn', id, ...(recoveryCodes ? { recoveryCodes } : {}) }
}, { body, secondFactor: 'enroll' })

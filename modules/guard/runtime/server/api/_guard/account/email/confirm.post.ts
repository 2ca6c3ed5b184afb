import { z } from 'zod'
import { confirmEmailChange } from '#guard/core/email-verification/change'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'
import { clientAddress } from '#guard/server/utils/client-address'

const body = z.object({ code: z.string().trim().min(1, 'enter the code from the email').max(32, 'that is not a confirmation code') })

/**
 * POST /api/_guard/account/email/confirm `{ code }` → `{ email, emailVerified: true, previousEmail }`:
 * makes the change with the code sent to the new address; the address is verified, this session's
 * token is reissued at once, every other session carries the new claims from its next request, and
 * the old address is told. 400 `invalid_verification_code`; 409 `email_taken` when another account
 * took the address meanwhile.
 */
export default defineAccountHandler(async (event, { guard, user, sessionId, body: { code } }) => {
  const { user: updated, previousEmail, delivery } = await confirmEmailChange(guard, { user, code, ip: clientAddress(event) })
  void delivery.catch(error => console.error('[nuxt-guard] an address-changed notice could not be sent:', error))
  const issued = await guard.sessions.reissue(sessionId)
  if (issued) adoptIssuedToken(event, guard, issued)
  return { email: updated.email, emailVerified: true as const, previousEmail }
}, { body })

import { requestPasswordReset } from '#guard/core/password-reset/request'
import { resetRequestSchema } from '#guard/core/password-reset/schema'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { useGuard } from '#guard/server/utils/guard-instance'
import { clientAddress } from '#guard/server/utils/client-address'
import { emailLink } from '#guard/server/utils/email-links'

/**
 * POST /api/_guard/password-reset/request `{ email }` → `{ ok: true, expiresInSeconds: 1800 }`,
 * the same status, body and time whether or not the address has an account;
 * an account's address gets a reset code by email (after the answer). 429
 * `too_many_attempts` with Retry-After past 5 requests per address or 20 per
 * client address in 15 minutes.
 */
export default defineGuardHandler(async (event) => {
  const { email } = await readGuardBody(event, resetRequestSchema)
  const guard = await useGuard()
  const resetUrl = emailLink(event, '/forgot-password')
  const { answer, delivery } = await requestPasswordReset(guard, { email, ip: clientAddress(event), resetUrl })
  void delivery.catch(error => console.error('[nuxt-guard] a password-reset email could not be sent:', error))
  return answer
})

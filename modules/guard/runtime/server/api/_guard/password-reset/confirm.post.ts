import { confirmPasswordReset } from '#guard/core/password-reset/confirm'
import { resetConfirmSchema } from '#guard/core/password-reset/schema'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { useGuard } from '#guard/server/utils/guard-instance'
import { clientAddress } from '#guard/server/utils/client-address'

/**
 * POST /api/_guard/password-reset/confirm `{ email, code, password, factor?, factorCode? }`
 * → `{ ok: true, revokedSessions }`: sets the new password (8 to 256
 * characters) and signs the user out everywhere; they sign in with it next.
 * 400 `invalid_reset_code`; 403 `reset_factor_required` `{ factors }` when
 * the account has a second factor and `factor` ('totp' | 'recovery_code') with
 * `factorCode` was not given; 401 `invalid_code` for a wrong one; 403
 * `user_disabled` for a disabled account (disabling voids its codes); 429 with Retry-After.
 */
export default defineGuardHandler(async (event) => {
  const input = await readGuardBody(event, resetConfirmSchema)
  const guard = await useGuard()
  const { revokedSessions, delivery } = await confirmPasswordReset(guard, { ...input, ip: clientAddress(event) })
  void delivery.catch(error => console.error('[nuxt-guard] a password-changed email could not be sent:', error))
  return { ok: true as const, revokedSessions }
})

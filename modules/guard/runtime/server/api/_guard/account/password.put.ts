import { changePassword } from '#guard/core/account/change-password'
import { changePasswordSchema } from '#guard/core/account/schema'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { clientAddress } from '#guard/server/utils/client-address'
import { getAuth } from '#guard/server/utils/get-auth'
import { readKnownDevices } from '#guard/server/utils/known-device'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'

/**
 * PUT /api/_guard/account/password `{ currentPassword, newPassword, signOutOfOtherSessions? = true }`
 * → `{ ok: true, revokedSessions }`: changes the password; this session stays
 * signed in with new cookies, the others are signed out everywhere unless
 * `signOutOfOtherSessions` is false; the user is told by email.
 * 403 `mfa_required` with `mfa_token` and `mfa_requirements` when the account
 * has a second factor not completed in the last 10 minutes; 422
 * `incorrect_password` (`field: 'currentPassword'`, counted as a failed
 * sign-in); 422 `invalid_request` naming `newPassword` (same as the current
 * one, or refused by the password check); 429 with Retry-After.
 */
export default defineAccountHandler(async (event, { guard, userId, sessionId, body }) => {
  const { renewed, revokedSessions } = await changePassword(guard, {
    ...body, userId, sessionId, tokenFactors: getAuth(event).sessionClaims?.mfa?.c, ip: clientAddress(event), knownDevices: readKnownDevices(event),
  })
  if (renewed) adoptIssuedToken(event, guard, renewed)
  return { ok: true as const, revokedSessions }
}, { body: changePasswordSchema })

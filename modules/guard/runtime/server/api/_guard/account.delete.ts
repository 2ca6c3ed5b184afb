import { deleteOwnAccount } from '#guard/core/account/delete-account'
import { deleteAccountSchema } from '#guard/core/account/schema'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { clientAddress } from '#guard/server/utils/client-address'
import { clearSessionCookies } from '#guard/server/utils/cookies'
import { getAuth } from '#guard/server/utils/get-auth'
import { guardSettings } from '#guard/server/utils/guard-instance'
import { readKnownDevices } from '#guard/server/utils/known-device'

/**
 * DELETE /api/_guard/account `{ confirmEmail, currentPassword? }` → `{ deleted: true }`:
 * deletes the signed-in user's account and everything of it (the audit log
 * keeps that it happened), signs every session out everywhere, clears this
 * browser's cookies and sends a goodbye email. `confirmEmail` is the
 * account's address; with a second factor, one completed in the last 10
 * minutes (else 403 `mfa_required` with `mfa_token` and `mfa_requirements`),
 * without one `currentPassword` (422 `incorrect_password`, counted as a
 * failed sign-in). 409 `last_admin` for the last admin; 429 with Retry-After.
 */
export default defineAccountHandler(async (event, { guard, userId, sessionId, body }) => {
  await deleteOwnAccount(guard, {
    ...body, userId, sessionId, tokenFactors: getAuth(event).sessionClaims?.mfa?.c, ip: clientAddress(event), knownDevices: readKnownDevices(event),
  })
  clearSessionCookies(event, guardSettings().cookieSecure)
  return { deleted: true as const }
}, { body: deleteAccountSchema })

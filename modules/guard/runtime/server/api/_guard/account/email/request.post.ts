import { z } from 'zod'
import { requestEmailChange } from '#guard/core/email-verification/change'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { clientAddress } from '#guard/server/utils/client-address'
import { readKnownDevices } from '#guard/server/utils/known-device'
import { emailLink } from '#guard/server/utils/email-links'

/** The built-in account page, where the email panel takes the code. */
const ACCOUNT_PAGE = '/account/security'

const body = z.object({
  email: z.string().trim().toLowerCase().max(254, 'email is too long').email('enter a valid email address'),
  currentPassword: z.string().max(256, 'use at most 256 characters').optional(),
})

/**
 * POST /api/_guard/account/email/request `{ email, currentPassword? }` → `{ sentTo, expiresInSeconds }`:
 * asks to move the account to `email`; a code goes to that NEW address and nothing changes until it is
 * confirmed. Needs a second factor completed in this session within 10 minutes when the account has
 * one (403 `mfa_required` with `mfa_token`), else the current password (422 `incorrect_password`,
 * counted like a failed sign-in). 409 `email_taken` when another account holds the address (after
 * that proof); 5 requests per user per 15 minutes (429).
 */
export default defineAccountHandler(async (event, { guard, user, sessionId, body: { email, currentPassword } }) => {
  const auth = event.context.auth
  // Where the code is typed: the verify page while the site holds an unverified user there, else the account page.
  const { account } = guard.live.policy.config
  const page = account.emailVerification === 'required' && !user.emailVerified ? account.verifyEmailUrl : ACCOUNT_PAGE
  const pageUrl = emailLink(event, page)
  const { answer, delivery } = await requestEmailChange(guard, {
    user, sessionId, newEmail: email, currentPassword, pageUrl,
    tokenFactors: auth?.sessionClaims?.mfa?.c,
    client: { ip: clientAddress(event), knownDevices: readKnownDevices(event) },
  })
  void delivery.catch(error => console.error('[nuxt-guard] an address-change email could not be sent:', error))
  return answer
}, { body })

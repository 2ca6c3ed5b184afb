import { z } from 'zod'
import { signInWithVerification } from '#guard/core/email-verification/sign-up-first'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { clientAddress } from '#guard/server/utils/client-address'
import { startSession } from '#guard/server/utils/start-session'

const body = z.object({
  email: z.string().trim().toLowerCase().max(254, 'email is too long').email('enter a valid email address'),
  code: z.string().trim().min(1, 'enter the code from the email').max(64),
  redirect_url: z.string().max(2_048).optional(),
})

/**
 * POST /api/_guard/email-verification/sign-in `{ email, code, redirect_url? }`:
 * finishes a sign-up made with `account.enumerationProtection` on
 * (which answered `{ verificationRequired: true }` and signed nobody in): the
 * emailed code verifies the address and signs in, answering as sign-in does
 * (`{ userId, sessionId, roles, factors, redirectTo }` and the cookies).
 * 400 `invalid_verification_code` alike for every wrong code and address; 429.
 */
export default defineGuardHandler(async (event) => {
  const input = await readGuardBody(event, body)
  return startSession(event, input.redirect_url, async (guard, origin) => {
    const user = await signInWithVerification(guard, { email: input.email, code: input.code, ip: clientAddress(event) })
    return guard.sessions.startSession(user, origin)
  })
})

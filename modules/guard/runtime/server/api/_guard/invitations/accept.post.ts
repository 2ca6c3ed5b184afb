import { acceptInvitation } from '#guard/core/people/accept-invitation'
import { acceptInvitationSchema } from '#guard/core/people/schema'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { startSession } from '#guard/server/utils/start-session'
import { rememberKnownDevice } from '#guard/server/utils/known-device'

/**
 * POST /api/_guard/invitations/accept `{ token, password, redirect_url? }` → the same answer as
 * sign-up (`{ userId, sessionId, roles, factors, redirectTo }`, session cookies set): the account is
 * created with the invitation's roles and its address verified, and signed in. The invitation works
 * once. 400 `invalid_invitation`; 409 `email_taken` when the address got an account meanwhile; 422
 * field `password` for a weak password; 429 with Retry-After.
 */
export default defineGuardHandler(async (event) => {
  const body = await readGuardBody(event, acceptInvitationSchema)
  return startSession(event, body.redirect_url, async (guard, origin) => {
    const issued = await acceptInvitation(guard, body, origin)
    await rememberKnownDevice(event, guard, issued.user)
    return issued
  })
})

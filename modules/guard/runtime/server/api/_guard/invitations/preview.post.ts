import { previewInvitation } from '#guard/core/people/accept-invitation'
import { invitationPreviewSchema } from '#guard/core/people/schema'
import { defineGuardHandler, readGuardBody } from '#guard/server/utils/define-guard-handler'
import { useGuard } from '#guard/server/utils/guard-instance'
import { clientAddress } from '#guard/server/utils/client-address'

/**
 * POST /api/_guard/invitations/preview `{ token }` → `{ email, expiresAt }`: what the acceptance page
 * shows before a password is chosen; nothing is spent. A POST, so the token stays out of access logs.
 * 400 `invalid_invitation` (wrong, used, revoked or expired — never said which); 429 with Retry-After
 * past 30 look-ups per client address per 15 minutes.
 */
export default defineGuardHandler(async (event) => {
  const { token } = await readGuardBody(event, invitationPreviewSchema)
  return previewInvitation(await useGuard(), token, clientAddress(event))
})

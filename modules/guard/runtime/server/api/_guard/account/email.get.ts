import { emailStatus } from '#guard/core/email-verification/status'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/**
 * GET /api/_guard/account/email → `{ email, emailVerified, emailVerification, pendingChange }`: the
 * signed-in user's address, whether it is verified, the site's `account.emailVerification`
 * (`off | optional | required`) and a change waiting for its code (`{ email, expiresAt }` or `null`).
 */
export default defineAccountHandler(async (_event, { guard, user }) => emailStatus(guard, user))

import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/** POST /api/_guard/account/sessions/revoke-others: signs out every session of yours but this one. */
export default defineAccountHandler(async (_event, { guard, userId, sessionId }) => {
  return { revoked: await guard.revokeUserSessions(userId, { except: sessionId }) }
}, { secondFactor: true })

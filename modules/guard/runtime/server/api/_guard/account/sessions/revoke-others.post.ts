import { listUserSessions } from '#guard/core/store/sessions'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/** POST /api/_guard/account/sessions/revoke-others: signs out every session of yours but this one. */
export default defineAccountHandler(async (_event, { guard, userId, sessionId }) => {
  const others = (await listUserSessions(guard.db, userId, new Date(guard.now()))).filter(session => session.id !== sessionId)
  for (const session of others) await guard.revokeSession(session.id)
  return { revoked: others.length }
}, { secondFactor: true })

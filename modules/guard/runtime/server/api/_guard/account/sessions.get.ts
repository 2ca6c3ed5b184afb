import { listUserSessions } from '#guard/core/store/sessions'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/** GET /api/_guard/account/sessions: your live sessions, this one marked `current`. */
export default defineAccountHandler(async (_event, { guard, userId, sessionId }) => {
  const sessions = await listUserSessions(guard.db, userId, new Date(guard.now()))
  return {
    sessions: sessions.map(s => ({
      id: s.id, current: s.id === sessionId, createdAt: s.createdAt.toISOString(), lastActiveAt: s.lastActiveAt.toISOString(), ip: s.ip, userAgent: s.userAgent,
    })),
  }
}, { secondFactor: true })

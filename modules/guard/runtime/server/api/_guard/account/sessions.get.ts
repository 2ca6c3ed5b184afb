import { listUserSessions } from '../../../../core/store/sessions'
import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { mfaRequest } from '../../../utils/mfa-request'

/** GET /api/_guard/account/sessions: your live sessions, this one marked `current`. */
export default defineGuardHandler(async (event) => {
  const { guard, userId, sessionId } = await mfaRequest(event, { secondFactor: true })
  const sessions = await listUserSessions(guard.db, userId, new Date(guard.now()))
  return {
    sessions: sessions.map(s => ({
      id: s.id, current: s.id === sessionId, createdAt: s.createdAt.toISOString(), lastActiveAt: s.lastActiveAt.toISOString(), ip: s.ip, userAgent: s.userAgent,
    })),
  }
})

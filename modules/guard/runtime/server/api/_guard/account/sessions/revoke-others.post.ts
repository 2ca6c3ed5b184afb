import { listUserSessions } from '../../../../../core/store/sessions'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { mfaRequest } from '../../../../utils/mfa-request'

/** POST /api/_guard/account/sessions/revoke-others: signs out every session of yours but this one. */
export default defineGuardHandler(async (event) => {
  const { guard, userId, sessionId } = await mfaRequest(event, { secondFactor: true })
  const others = (await listUserSessions(guard.db, userId, new Date(guard.now()))).filter(session => session.id !== sessionId)
  for (const session of others) await guard.revokeSession(session.id)
  return { revoked: others.length }
})

import { getRouterParam } from 'h3'
import { GuardError } from '#guard/core/errors'
import { listUserSessions } from '#guard/core/store/sessions'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/** DELETE /api/_guard/account/sessions/:id: signs one of your sessions out everywhere. */
export default defineAccountHandler(async (event, { guard, userId }) => {
  const id = getRouterParam(event, 'id') ?? ''
  const own = (await listUserSessions(guard.db, userId, new Date(guard.now()))).some(session => session.id === id)
  if (!own) throw new GuardError('not_found', 'No such live session on your account; reload the list.')
  await guard.revokeSession(id)
  return { revoked: true }
}, { secondFactor: true })

import { getRouterParam } from 'h3'
import { listUserSessions } from '../../../../../core/store/sessions'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { guardError } from '../../../../utils/errors'
import { mfaRequest } from '../../../../utils/mfa-request'

/** DELETE /api/_guard/account/sessions/:id: signs one of your sessions out everywhere. */
export default defineGuardHandler(async (event) => {
  const id = getRouterParam(event, 'id') ?? ''
  const { guard, userId } = await mfaRequest(event, { secondFactor: true })
  const own = (await listUserSessions(guard.db, userId, new Date(guard.now()))).some(session => session.id === id)
  if (!own) throw guardError(404, 'not_found', 'No such live session on your account; reload the list.')
  await guard.revokeSession(id)
  return { revoked: true }
})

import { getRouterParam } from 'h3'
import { GuardError } from '#guard/core/errors'
import { deleteFactor } from '#guard/core/store/factors'
import { writeAudit } from '#guard/core/store/audit'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'

/** DELETE /api/_guard/mfa/factors/:id: removes one of your factors (needs a factor completed in this session). */
export default defineAccountHandler(async (event, { guard, userId, sessionId }) => {
  const id = getRouterParam(event, 'id') ?? ''
  if (!(await deleteFactor(guard.db, userId, id))) throw new GuardError('not_found', 'No such factor on your account; reload the list.')
  await writeAudit(guard.db, { actorId: userId, action: 'mfa.factor_removed', target: userId, before: { factorId: id } })
  const issued = await guard.sessions.reissue(sessionId)
  if (issued) adoptIssuedToken(event, guard, issued)
  return { removed: true }
}, { secondFactor: true })

import { getRouterParam } from 'h3'
import { deleteFactor } from '../../../../../core/store/factors'
import { writeAudit } from '../../../../../core/store/audit'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { guardError } from '../../../../utils/errors'
import { mfaRequest, useIssuedToken } from '../../../../utils/mfa-request'

/** DELETE /api/_guard/mfa/factors/:id: removes one of your factors (needs a factor completed in this session). */
export default defineGuardHandler(async (event) => {
  const id = getRouterParam(event, 'id') ?? ''
  const { guard, userId, sessionId } = await mfaRequest(event, { secondFactor: true })
  if (!(await deleteFactor(guard.db, userId, id))) throw guardError(404, 'not_found', 'No such factor on your account; reload the list.')
  await writeAudit(guard.db, { actorId: userId, action: 'mfa.factor_removed', target: userId, before: { factorId: id } })
  const issued = await guard.sessions.reissue(sessionId)
  if (issued) useIssuedToken(event, guard, issued)
  return { removed: true }
})

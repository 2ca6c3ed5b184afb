import { getRouterParam } from 'h3'
import { revokeRememberedDevices } from '../../../../../core/store/remembered-devices'
import { defineGuardHandler } from '../../../../utils/define-guard-handler'
import { guardError } from '../../../../utils/errors'
import { mfaRequest } from '../../../../utils/mfa-request'

/** DELETE /api/_guard/account/devices/:id: forget one remembered device; it must complete the second factor again. */
export default defineGuardHandler(async (event) => {
  const id = getRouterParam(event, 'id') ?? ''
  const { guard, userId } = await mfaRequest(event, { secondFactor: true })
  if (!(await revokeRememberedDevices(guard.db, userId, id, new Date(guard.now())))) throw guardError(404, 'not_found', 'No such remembered device on your account; reload the list.')
  return { revoked: true }
})

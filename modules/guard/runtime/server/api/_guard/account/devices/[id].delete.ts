import { getRouterParam } from 'h3'
import { GuardError } from '#guard/core/errors'
import { revokeRememberedDevices } from '#guard/core/store/remembered-devices'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/** DELETE /api/_guard/account/devices/:id: forget one remembered device; it must complete the second factor again. */
export default defineAccountHandler(async (event, { guard, userId }) => {
  const id = getRouterParam(event, 'id') ?? ''
  if (!(await revokeRememberedDevices(guard.db, userId, id, new Date(guard.now())))) throw new GuardError('not_found', 'No such remembered device on your account; reload the list.')
  return { revoked: true }
}, { secondFactor: true })

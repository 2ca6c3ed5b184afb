import { listRememberedDevices } from '../../../../core/store/remembered-devices'
import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { mfaRequest } from '../../../utils/mfa-request'

/** GET /api/_guard/account/devices: the devices that skip your second factor at sign-in ("remember this device"). */
export default defineGuardHandler(async (event) => {
  const { guard, userId } = await mfaRequest(event, { secondFactor: true })
  const devices = await listRememberedDevices(guard.db, userId, new Date(guard.now()))
  return { devices: devices.map(d => ({ id: d.id, factor: d.factor, createdAt: d.createdAt.toISOString(), expiresAt: d.expiresAt.toISOString(), userAgent: d.userAgent })) }
})

import { listRememberedDevices } from '#guard/core/store/remembered-devices'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/** GET /api/_guard/account/devices: the devices that skip your second factor at sign-in ("remember this device"). */
export default defineAccountHandler(async (_event, { guard, userId }) => {
  const devices = await listRememberedDevices(guard.db, userId, new Date(guard.now()))
  return { devices: devices.map(d => ({ id: d.id, factor: d.factor, createdAt: d.createdAt.toISOString(), expiresAt: d.expiresAt.toISOString(), userAgent: d.userAgent })) }
}, { secondFactor: true })

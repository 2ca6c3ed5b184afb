import { getRequestHeader, setCookie, type H3Event } from 'h3'
import type { FactorId } from '../../core/config/schema'
import type { Guard } from '../../core/engine/create-guard'
import { recognizeDevice, rememberDevice } from '../../core/mfa/devices'
import type { IssuedToken } from '../../core/engine/sessions'
import { cookieNames, readCookie } from './cookies'
import { guardSettings } from './guard-instance'

/**
 * After a completed challenge with `rememberDevice: true`: records the device
 * and sets its signed cookie (HttpOnly, with a server record; `__Host-` over HTTPS).
 *
 * @example
 * if (input.rememberDevice) await rememberThisDevice(event, guard, userId, 'totp')
 */
export async function rememberThisDevice(event: H3Event, guard: Guard, userId: string, factor: FactorId): Promise<void> {
  const remembered = await rememberDevice(guard.mfa, { userId, factor, userAgent: getRequestHeader(event, 'user-agent') })
  if (!remembered) return
  const secure = guardSettings().cookieSecure
  setCookie(event, cookieNames(secure).device, remembered.cookie, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: remembered.maxAgeSeconds })
}

/**
 * At sign-in: when this browser is a remembered device of the user, the
 * factor it stands for counts as completed (at the time it was remembered,
 * so step-up still asks again) and the new session's token is reissued.
 *
 * @example
 * const issued = (await applyRememberedDevice(event, guard, user.id, sessionId)) ?? started
 */
export async function applyRememberedDevice(event: H3Event, guard: Guard, userId: string, sessionId: string): Promise<IssuedToken | undefined> {
  const header = getRequestHeader(event, 'cookie')
  const device = await recognizeDevice(guard.mfa, userId, header ? readCookie(header, cookieNames().device) : undefined)
  return device && guard.mfa.complete(sessionId, device.factor, device.sinceSeconds)
}

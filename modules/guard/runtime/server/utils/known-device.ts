import { getRequestHeader, setCookie, type H3Event } from 'h3'
import type { Guard } from '../../core/engine/create-guard'
import { KNOWN_DEVICE_MAX_AGE_SECONDS } from '../../core/engine/sign-in-throttle'
import { findUserById } from '../../core/store/users'
import { cookieNames, readCookie } from './cookies'
import { guardSettings } from './guard-instance'

/** At most this many accounts are remembered per browser. */
const MAX_TOKENS = 5

/**
 * The known-device tokens this browser shows (sign-in throttling: a browser
 * that completed a sign-in to an account before is not refused because of
 * other clients' failures on that account).
 *
 * @example
 * guard.sessions.signIn(credentials, { ip, knownDevices: readKnownDevices(event) })
 */
export function readKnownDevices(event: H3Event): string[] {
  const header = getRequestHeader(event, 'cookie')
  const value = header ? readCookie(header, cookieNames().known) : undefined
  return value ? value.split('~').filter(Boolean).slice(0, MAX_TOKENS) : []
}

/**
 * After a complete sign-in (the password, and the second factor when one is
 * enrolled): marks this browser as known for the account, keeping the tokens
 * it holds for other accounts. HttpOnly, SameSite=Lax, a year.
 *
 * @example
 * await rememberKnownDevice(event, guard, userId)
 */
export async function rememberKnownDevice(event: H3Event, guard: Guard, user: string | { email: string }): Promise<void> {
  const email = typeof user === 'string' ? (await findUserById(guard.db, user))?.email : user.email
  if (!email) return
  const others = readKnownDevices(event).filter(token => !guard.throttle.knownDeviceId(email, [token]))
  const value = [guard.throttle.knownDeviceToken(email), ...others].slice(0, MAX_TOKENS).join('~')
  setCookie(event, cookieNames().known, value, { httpOnly: true, sameSite: 'lax', path: '/', secure: guardSettings().cookieSecure, maxAge: KNOWN_DEVICE_MAX_AGE_SECONDS })
}

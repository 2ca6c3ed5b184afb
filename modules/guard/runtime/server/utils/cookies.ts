import { deleteCookie, getHeader, parseCookies, setCookie, type H3Event } from 'h3'
import type { Credentials } from '../../core/engine/authenticator'

export const SESSION_COOKIE = 'guard_session'
export const REFRESH_COOKIE = 'guard_refresh'

/**
 * The credentials a request carries: `Authorization: Bearer` wins over the
 * session cookie; the refresh secret only ever comes from its cookie.
 *
 * @example
 * const credentials = readCredentials(event)
 */
export function readCredentials(event: H3Event): Credentials {
  const authorization = getHeader(event, 'authorization')
  if (authorization?.startsWith('Bearer ')) return { token: authorization.slice(7).trim(), tokenSource: 'bearer' }
  if (!getHeader(event, 'cookie')) return {}
  const cookies = parseCookies(event)
  return { token: cookies[SESSION_COOKIE], tokenSource: 'cookie', refreshToken: cookies[REFRESH_COOKIE] }
}

/**
 * Sets the session token cookie, and the refresh cookie when a session starts.
 * Both HttpOnly and SameSite=Lax; Secure unless told otherwise (development).
 *
 * @example
 * writeSessionCookies(event, { token, refreshToken, expiresAt }, true)
 */
export function writeSessionCookies(
  event: H3Event,
  { token, refreshToken, expiresAt }: { token: string; refreshToken?: string; expiresAt?: Date },
  secure: boolean,
): void {
  const options = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' }
  const maxAge = expiresAt ? Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) : undefined
  setCookie(event, SESSION_COOKIE, token, { ...options, maxAge })
  if (refreshToken) setCookie(event, REFRESH_COOKIE, refreshToken, { ...options, maxAge })
}

/**
 * Removes both session cookies.
 *
 * @example
 * clearSessionCookies(event, true)
 */
export function clearSessionCookies(event: H3Event, secure: boolean): void {
  const options = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' }
  deleteCookie(event, SESSION_COOKIE, options)
  deleteCookie(event, REFRESH_COOKIE, options)
}

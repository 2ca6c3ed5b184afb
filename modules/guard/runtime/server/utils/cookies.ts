import { deleteCookie, setCookie, type H3Event } from 'h3'
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
  const { authorization, cookie } = event.node.req.headers
  const bearer = bearerToken(authorization)
  if (bearer !== undefined) return { token: bearer, tokenSource: 'bearer' }
  if (!cookie) return NO_CREDENTIALS
  return { token: readCookie(cookie, SESSION_COOKIE), tokenSource: 'cookie', refreshToken: readCookie(cookie, REFRESH_COOKIE) }
}

const NO_CREDENTIALS: Credentials = Object.freeze({})

/**
 * Only the session token (Bearer first, then the cookie): all the hot path
 * needs when the token is already verified.
 *
 * @example
 * const cached = guard.authenticator.fromCache(readSessionToken(event) ?? '')
 */
export function readSessionToken(event: H3Event): string | undefined {
  const { authorization, cookie } = event.node.req.headers
  return bearerToken(authorization) ?? (cookie ? readCookie(cookie, SESSION_COOKIE) : undefined)
}

function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined
}

/**
 * One cookie's value from a `Cookie` header, without parsing the others (the
 * hot path reads two cookies per request). The first occurrence wins, as in
 * cookie-es; a percent-encoded value is decoded, a malformed one ignored.
 *
 * @example
 * readCookie('theme=dark; guard_session=eyJ...', 'guard_session') // 'eyJ...'
 */
export function readCookie(header: string, name: string): string | undefined {
  let from = 0
  while (from < header.length) {
    const at = header.indexOf(name, from)
    if (at === -1) return undefined
    const end = at + name.length
    const startsPair = at === 0 || header.charCodeAt(at - 1) === 0x3b || header.charCodeAt(at - 1) === 0x20
    if (startsPair && header.charCodeAt(end) === 0x3d) {
      const stop = header.indexOf(';', end + 1)
      const value = header.slice(end + 1, stop === -1 ? undefined : stop).trim()
      if (!value.includes('%')) return value
      try { return decodeURIComponent(value) }
      catch { return undefined }
    }
    from = end
  }
  return undefined
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

import { deleteCookie, setCookie, type H3Event } from 'h3'
import type { PresentedTokens } from '../../core/engine/authenticator'
import { guardSettings } from './guard-instance'

/** The session token cookie's name over plain HTTP (development). */
export const SESSION_COOKIE = 'guard_session'
/** The refresh secret cookie's name over plain HTTP (development). */
export const REFRESH_COOKIE = 'guard_refresh'
/** The remembered-device cookie's name over plain HTTP (development). */
export const DEVICE_COOKIE = 'guard_device'
/** The known-device cookie's name over plain HTTP (sign-in throttling; development). */
export const KNOWN_DEVICE_COOKIE = 'guard_known'

/** The names of the guard's cookies. */
export interface GuardCookieNames { session: string; refresh: string; device: string; known: string }

const PLAIN_NAMES: GuardCookieNames = Object.freeze({ session: SESSION_COOKIE, refresh: REFRESH_COOKIE, device: DEVICE_COOKIE, known: KNOWN_DEVICE_COOKIE })
const HOST_NAMES: GuardCookieNames = Object.freeze({ session: `__Host-${SESSION_COOKIE}`, refresh: `__Host-${REFRESH_COOKIE}`, device: `__Host-${DEVICE_COOKIE}`, known: `__Host-${KNOWN_DEVICE_COOKIE}` })

/**
 * The cookie names for a deployment. With Secure cookies (`cookieSecure`,
 * HTTPS) the names carry the `__Host-` prefix: browsers then accept them only
 * when Secure, with `Path=/` and no `Domain`, so a sibling subdomain cannot
 * plant or overwrite them. Plain names on HTTP (development), where a
 * browser refuses `__Host-` cookies. Only these names are read.
 *
 * @example
 * cookieNames(true).session  // '__Host-guard_session'
 * cookieNames(false).session // 'guard_session'
 */
export function cookieNames(secure: boolean = guardSettings().cookieSecure): GuardCookieNames {
  return secure ? HOST_NAMES : PLAIN_NAMES
}

/**
 * The credentials a request carries: `Authorization: Bearer` wins over the
 * session cookie; the refresh secret only ever comes from its cookie.
 *
 * @example
 * const credentials = readCredentials(event)
 */
export function readCredentials(event: H3Event, secure?: boolean): PresentedTokens {
  const { authorization, cookie } = hotPathHeaders(event)
  const bearer = bearerToken(authorization)
  if (bearer !== undefined) return { token: bearer, tokenSource: 'bearer' }
  if (!cookie) return NO_CREDENTIALS
  const names = cookieNames(secure)
  return { token: readCookie(cookie, names.session), tokenSource: 'cookie', refreshToken: readCookie(cookie, names.refresh) }
}

const NO_CREDENTIALS: PresentedTokens = Object.freeze({})

/**
 * Only the session token (Bearer first, then the cookie): all the hot path
 * needs when the token is already verified.
 *
 * @example
 * const cached = guard.authenticator.fromCache(readSessionToken(event) ?? '')
 */
export function readSessionToken(event: H3Event, secure?: boolean): string | undefined {
  const { authorization, cookie } = hotPathHeaders(event)
  return bearerToken(authorization) ?? (cookie ? readCookie(cookie, cookieNames(secure).session) : undefined)
}

/**
 * The request's headers as Node parsed them, for the two the middleware reads
 * on every request (`authorization`, `cookie`). The one raw header read in the
 * adapter, on purpose: h3's `getRequestHeader` copies every header into a new
 * object on each call (about 3 µs for two reads of a browser's ~12 headers,
 * against tens of nanoseconds here), a measurable share of a cached-token
 * request. Everywhere off the hot path, use h3's helpers.
 */
function hotPathHeaders(event: H3Event): { authorization?: string; cookie?: string } {
  return event.node.req.headers
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
 * Sets the session token cookie, and the refresh cookie when a session starts
 * or is renewed. Both HttpOnly, SameSite=Lax, `Path=/`, no `Domain`; Secure
 * with `__Host-` names unless told otherwise (development, see {@link cookieNames}).
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
  const names = cookieNames(secure)
  setCookie(event, names.session, token, { ...options, maxAge })
  if (refreshToken) setCookie(event, names.refresh, refreshToken, { ...options, maxAge })
}

/**
 * Removes both session cookies.
 *
 * @example
 * clearSessionCookies(event, true)
 */
export function clearSessionCookies(event: H3Event, secure: boolean): void {
  const options = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' }
  const names = cookieNames(secure)
  deleteCookie(event, names.session, options)
  deleteCookie(event, names.refresh, options)
}

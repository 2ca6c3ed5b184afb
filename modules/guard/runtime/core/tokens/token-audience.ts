import { defineErrorCodes, GuardError } from '../errors'

/**
 * Where a session token may be used, checked the way Clerk's `verifyToken`
 * checks it: `aud` (RFC 7519 §4.1.3) against the expected audience, `azp`
 * (OpenID Connect Core §2, "authorized party") against an allowlist of
 * origins. Framework-free: the middleware, `requireAuth` and
 * `verifyGuardToken` (another Node service) share these rules.
 */

/** Why a token was refused by these checks (Clerk's `TokenVerificationErrorReason` names; `aud` has none there). */
export type TokenAudienceReason = 'token-invalid-audience' | 'token-invalid-authorized-parties'

/** What a token must say about where it may be used; an empty or absent list checks nothing. */
export interface TokenAudienceOptions {
  /** `aud` must be, or (an array) contain, one of these. */
  audience?: readonly string[]
  /**
   * `azp` must be one of these origins (`https://app.example.com`). Stricter
   * than Clerk's original rule and like its current one: a token with no
   * `azp` is refused too when the list is set.
   */
  authorizedParties?: readonly string[]
}

/**
 * The first of the two checks a token fails, or `undefined` when it passes
 * (no allocation then: the middleware calls it on every signed-in request
 * while a list is set).
 *
 * @example
 * tokenAudienceProblem({ aud: 'api', azp: 'https://evil.example' }, { authorizedParties: ['https://app.example.com'] })
 * // { reason: 'token-invalid-authorized-parties', message: 'azp "https://evil.example" is not one of the authorized parties (https://app.example.com)' }
 */
export function tokenAudienceProblem(claims: { aud?: unknown; azp?: unknown }, { audience, authorizedParties }: TokenAudienceOptions): { reason: TokenAudienceReason; message: string } | undefined {
  if (audience?.length && !audienceMatches(claims.aud, audience)) {
    return { reason: 'token-invalid-audience', message: `aud ${JSON.stringify(claims.aud ?? null)} is not the expected audience (${audience.join(', ')})` }
  }
  if (authorizedParties?.length && !(typeof claims.azp === 'string' && authorizedParties.includes(claims.azp))) {
    return { reason: 'token-invalid-authorized-parties', message: `azp ${JSON.stringify(claims.azp ?? null)} is not one of the authorized parties (${authorizedParties.join(', ')})` }
  }
  return undefined
}

/** `aud` is a string or an array of strings (RFC 7519 §4.1.3); one of them must be expected. */
function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  if (typeof aud === 'string') return expected.includes(aud)
  if (!Array.isArray(aud)) return false
  for (const value of aud) if (typeof value === 'string' && expected.includes(value)) return true
  return false
}

/**
 * A web origin as browsers send it in `Origin` (RFC 6454 §6.2): scheme, host
 * and a non-default port, lower-cased, no path. Throws a TypeError naming the
 * value when it is not one (a path, a query, credentials, another scheme).
 *
 * @example
 * normalizeOrigin('https://App.example.com:443/') // 'https://app.example.com'
 * normalizeOrigin('https://app.example.com/sign-in') // throws
 */
export function normalizeOrigin(value: string): string {
  let url: URL
  try { url = new URL(value.trim()) }
  catch { throw new TypeError(`${JSON.stringify(value)} is not an origin such as "https://app.example.com"`) }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new TypeError(`${JSON.stringify(value)} is not an origin such as "https://app.example.com" (scheme and host only, no path)`)
  }
  return url.origin
}

/**
 * A list setting as configured in `nuxt.config.ts` (an array) or in the
 * environment (`NUXT_GUARD_AUTHORIZED_PARTIES`: a JSON array or a comma
 * list), trimmed, empty entries dropped.
 *
 * @example
 * listSetting('https://a.example.com, https://b.example.com') // ['https://a.example.com', 'https://b.example.com']
 * listSetting('["api://orders"]')                             // ['api://orders']
 */
export function listSetting(value: string | readonly string[] | undefined | null): string[] {
  if (value === undefined || value === null) return []
  if (typeof value !== 'string') return value.map(String).map(entry => entry.trim()).filter(Boolean)
  const text = value.trim()
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text)
    if (!Array.isArray(parsed)) throw new TypeError(`${JSON.stringify(value)} is not a JSON array`)
    return listSetting(parsed.map(String))
  }
  return text.split(',').map(entry => entry.trim()).filter(Boolean)
}

/**
 * The `authorizedParties` setting: each entry an origin, normalized.
 *
 * @example
 * authorizedPartiesSetting('https://App.example.com, http://localhost:3000') // ['https://app.example.com', 'http://localhost:3000']
 */
export function authorizedPartiesSetting(value: string | readonly string[] | undefined | null): string[] {
  return [...new Set(listSetting(value).map(normalizeOrigin))]
}

/**
 * The `audience` setting: one or more `aud` values (any string, RFC 7519 §4.1.3). New session
 * tokens carry it (one value as a string, several as an array), and a token must carry one of them.
 *
 * @example
 * audienceSetting('https://api.example.com') // ['https://api.example.com']
 */
export function audienceSetting(value: string | readonly string[] | undefined | null): string[] {
  return [...new Set(listSetting(value))]
}

/** The refusals of a sign-in from an origin that is not an authorized party. */
export const TOKEN_AUDIENCE_ERROR_CODES = defineErrorCodes({
  unauthorized_party: { status: 403, description: 'This address is not one of the addresses this app signs people in at; open the app at its usual address.' },
})

/**
 * A sign-in or sign-up asked for from an origin outside `authorizedParties`:
 * 403 `unauthorized_party`, no session is started (its tokens could be used
 * nowhere). The origin is named in the message (logs), not in the body.
 *
 * @example
 * throw new UnauthorizedPartyError('https://preview.example.net')
 */
export class UnauthorizedPartyError extends GuardError<keyof typeof TOKEN_AUDIENCE_ERROR_CODES> {
  static override readonly codes = TOKEN_AUDIENCE_ERROR_CODES
  override name = 'UnauthorizedPartyError'
  constructor(party: string | undefined) {
    super('unauthorized_party', undefined, {}, { message: `sign-in from ${party ?? 'an unknown origin'}, which is not in authorizedParties` })
  }
}

/**
 * The module's `audience` and `authorizedParties` as runtime config holds
 * them (arrays from `nuxt.config.ts`, strings from `NUXT_GUARD_AUDIENCE` and
 * `NUXT_GUARD_AUTHORIZED_PARTIES`), normalized; throws an Error naming the
 * setting when one cannot be read (at start-up, never per request).
 *
 * @example
 * tokenAudienceSettings({ authorizedParties: 'https://app.example.com' }) // { audience: [], authorizedParties: ['https://app.example.com'] }
 */
export function tokenAudienceSettings(settings: { audience?: string | readonly string[]; authorizedParties?: string | readonly string[] }): { audience: string[]; authorizedParties: string[] } {
  const read = <T>(name: string, parse: () => T): T => {
    try { return parse() }
    catch (error) { throw new Error(`[nuxt-guard] ${name} (env NUXT_GUARD_${name.replace(/[A-Z]/g, c => `_${c}`).toUpperCase()}): ${(error as Error).message}`) }
  }
  return {
    audience: read('audience', () => audienceSetting(settings.audience)),
    authorizedParties: read('authorizedParties', () => authorizedPartiesSetting(settings.authorizedParties)),
  }
}

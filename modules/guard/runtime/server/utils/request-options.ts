import { getRequestHeader, getRequestHost, type H3Event } from 'h3'
import type { TLSSocket } from 'node:tls'
import { signedOutAuth, type GuardAuth } from '../../core/policy/auth'
import { checkPattern } from '../../core/routing/pattern'
import type { RouteClass } from '../../core/policy/compile'
import type { PresentedTokens } from '../../core/engine/authenticator'
import { authorizedPartiesSetting, tokenAudienceProblem, UnauthorizedPartyError, type TokenAudienceOptions } from '../../core/tokens/token-audience'
import { guardSettings } from './guard-instance'

/**
 * Options resolved for one request, so that one deployment can serve several
 * domains (Clerk's `clerkMiddleware(handler, (req) => options)`): each
 * overrides the live config's value (or the module's `authorizedParties`)
 * for this request only. URLs are same-origin paths; the `signInUrl` and
 * `signUpUrl` pages named here are public for the request, like the config's.
 */
export interface GuardRequestOptions {
  /** Where a signed-out page request is sent (`/sign-in`). */
  signInUrl?: string
  /** The sign-up page (`/sign-up`): public, like the sign-in page. */
  signUpUrl?: string
  /** Where a sign-in (or a completed challenge) goes when no `redirect_url` says otherwise (`/`). */
  afterSignInUrl?: string
  /** Origins a token's `azp` must be one of, and the only ones a sign-in may come from. */
  authorizedParties?: readonly string[]
}

/** {@link GuardRequestOptions} checked and normalized once, as `event.context.guardRequest` holds them. */
export interface ResolvedRequestOptions {
  signInUrl?: string
  signUpUrl?: string
  afterSignInUrl?: string
  /** The sign-in and sign-up paths as the matcher reads paths (lower case), for {@link requestRoute}. */
  pages: readonly string[]
  /** `authorizedParties` when given (normalized origins); else the module's apply. */
  authorizedParties?: readonly string[]
}

const resolved = new WeakMap<GuardRequestOptions, ResolvedRequestOptions>()

/**
 * Checks and normalizes a request's options (cached per options object, so a
 * resolver returning constants costs one lookup). Throws a TypeError naming
 * the field for a URL that is not a same-origin path or a party that is not
 * an origin: a mistake in the app's middleware, shown at its first request.
 *
 * @example
 * resolveRequestOptions({ signInUrl: '/connexion', authorizedParties: ['https://exemple.fr'] })
 */
export function resolveRequestOptions(options: GuardRequestOptions): ResolvedRequestOptions {
  let result = resolved.get(options)
  if (result) return result
  const pages: string[] = []
  const path = (field: 'signInUrl' | 'signUpUrl' | 'afterSignInUrl') => {
    const value = options[field]
    if (value === undefined) return undefined
    const check = checkPattern(value)
    if (!check.ok || value.includes('*')) throw new TypeError(`[nuxt-guard] guardMiddleware options: ${field} must be one exact path on this site, such as /sign-in; got ${JSON.stringify(value)}`)
    if (field !== 'afterSignInUrl') pages.push(check.pattern)
    return value
  }
  let authorizedParties: string[] | undefined
  if (options.authorizedParties) {
    try { authorizedParties = authorizedPartiesSetting(options.authorizedParties) }
    catch (error) { throw new TypeError(`[nuxt-guard] guardMiddleware options: authorizedParties: ${(error as Error).message}`) }
  }
  result = { signInUrl: path('signInUrl'), signUpUrl: path('signUpUrl'), afterSignInUrl: path('afterSignInUrl'), pages, authorizedParties }
  resolved.set(options, result)
  return result
}

/**
 * This request's options, when the app's `guardMiddleware` resolved any.
 *
 * @example
 * const destination = requestOptions(event)?.afterSignInUrl ?? config.afterSignInUrl
 */
export function requestOptions(event: H3Event): ResolvedRequestOptions | undefined {
  return event.context.guardRequest as ResolvedRequestOptions | undefined
}

/**
 * How a path is treated for this request: a protected path that is, by
 * every reading, this request's own sign-in or sign-up page is public (as
 * the config's are). Returns `route` itself otherwise: no allocation.
 *
 * @example
 * const route = requestRoute(event, policy.classify(readings), readings)
 */
export function requestRoute<R extends RouteClass>(event: H3Event, route: R, readings: readonly string[]): R | { kind: 'public'; api: boolean } {
  const pages = requestOptions(event)?.pages
  if (!pages?.length || route.kind !== 'protected' || !readings.length) return route
  for (const reading of readings) if (!pages.includes(reading)) return route
  return { kind: 'public', api: route.api }
}

/** The module's checks, built once per started settings object. */
let moduleChecks: { source: object; checks: TokenAudienceOptions } | undefined

/**
 * What this request's session token must say about where it may be used:
 * the module's `audience`, and `authorizedParties` (this request's, else the module's).
 *
 * @example
 * tokenChecks(event) // { audience: [], authorizedParties: ['https://app.example.com'] }
 */
export function tokenChecks(event: H3Event): TokenAudienceOptions {
  const settings = guardSettings()
  if (moduleChecks?.source !== settings) {
    moduleChecks = { source: settings, checks: { audience: settings.audience as readonly string[] | undefined, authorizedParties: settings.authorizedParties as readonly string[] | undefined } }
  }
  const own = requestOptions(event)?.authorizedParties
  if (!own) return moduleChecks.checks
  return (event.context.guardTokenChecks ??= { audience: moduleChecks.checks.audience, authorizedParties: own }) as TokenAudienceOptions
}

/**
 * The auth a request is judged by: a signed-in `auth` whose token was made
 * for another audience (`aud`) or another origin (`azp` outside
 * `authorizedParties`) is signed out — the API answers 401
 * `unauthenticated`, a page redirects to sign-in — and, with `debug`, the
 * reason is logged. Costs two length checks when neither list is set.
 *
 * @example
 * event.context.auth = screenAuth(event, cached)
 */
export function screenAuth(event: H3Event, auth: GuardAuth): GuardAuth {
  const claims = auth.sessionClaims
  if (!claims) return auth
  const checks = tokenChecks(event)
  if (!checks.audience?.length && !checks.authorizedParties?.length) return auth
  const problem = tokenAudienceProblem(claims, checks)
  if (!problem) return auth
  if (guardSettings().debug) console.info(`[nuxt-guard] ${event.method} ${event.path} → token refused (${problem.reason}: ${problem.message}); judged as signed out`)
  return signedOutAuth
}

/**
 * The origin this request addressed: its `Origin` header when that names
 * this host (`Host`; `X-Forwarded-Host` is never believed); else the
 * `authorizedParties` entry for this host (the operator named its scheme);
 * else `https://` (or `http://` over plain HTTP with cookies not Secure) and
 * the `Host`. The `azp` of the tokens this request receives.
 *
 * @example
 * requestParty(event) // 'https://app.example.com'
 */
export function requestParty(event: H3Event): string | undefined {
  return statedParty(event) ?? hostParty(event)
}

/** The request's `Origin` when it names this request's host; `undefined` when it sends none (a page navigation) or another. */
function statedParty(event: H3Event): string | undefined {
  const origin = getRequestHeader(event, 'origin')
  const own = ownHost(event)
  if (!origin || origin === 'null' || !own) return undefined
  try {
    const url = new URL(origin)
    return url.host === own && (url.protocol === 'https:' || url.protocol === 'http:') ? url.origin : undefined
  }
  catch {
    return undefined
  }
}

/** The origin of this request's host without an `Origin` header to say the scheme: the authorized party with this host, else the guess. */
function hostParty(event: H3Event): string | undefined {
  const own = ownHost(event)
  if (!own) return undefined
  const named = tokenChecks(event).authorizedParties?.find(party => new URL(party).host === own)
  if (named) return named
  const secure = (event.node.req.socket as TLSSocket | undefined)?.encrypted || guardSettings().cookieSecure
  return new URL(`${secure ? 'https' : 'http'}://${own}`).origin
}

function ownHost(event: H3Event): string | undefined {
  const host = getRequestHost(event, { xForwardedHost: false })
  if (!host) return undefined
  try {
    return new URL(`http://${host}`).host
  }
  catch {
    return undefined
  }
}

/**
 * The party a new session may be started for: this request's origin, which
 * must be one of `authorizedParties` when they are set — else 403
 * `unauthorized_party` and no session (its tokens would be refused on every
 * request). `undefined` when the origin cannot be told and none are set.
 *
 * @example
 * const origin = { ip, userAgent, party: sessionParty(event) }
 */
export function sessionParty(event: H3Event): string | undefined {
  const party = requestParty(event)
  const allowed = tokenChecks(event).authorizedParties
  if (allowed?.length && (!party || !allowed.includes(party))) throw new UnauthorizedPartyError(party)
  return party
}

/**
 * The origin a refresh for this request stamps as `azp`: the `Origin` it
 * states when that names this host (and is allowed); otherwise (a page
 * navigation, or another site's Origin) the session keeps the party it
 * signed in at (`undefined`). When `authorizedParties` are set, a request
 * whose origin or host is outside them does not refresh at all (`false`).
 *
 * @example
 * const party = refreshParty(event)
 * if (party === false) credentials = { ...credentials, refreshToken: undefined }
 */
export function refreshParty(event: H3Event): string | undefined | false {
  const allowed = tokenChecks(event).authorizedParties
  const stated = statedParty(event)
  if (!allowed?.length) return stated
  const party = stated ?? hostParty(event)
  return party && allowed.includes(party) ? stated : false
}

/**
 * The credentials to authenticate with, and the origin a refreshed token is
 * issued to: a request from an origin outside `authorizedParties` presents
 * no refresh secret (its token, if any, is judged as it is).
 *
 * @example
 * await guard.authenticator.authenticate(credentialsWithParty(event, readCredentials(event)))
 */
export function credentialsWithParty(event: H3Event, credentials: PresentedTokens): PresentedTokens {
  if (!credentials.refreshToken) return credentials
  const party = refreshParty(event)
  return party === false ? { ...credentials, refreshToken: undefined } : { ...credentials, party }
}

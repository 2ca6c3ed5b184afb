import { defineEventHandler, type EventHandler, type H3Event } from 'h3'
import { judgeRequest, type JudgeOptions, type Judgement } from './judge-request'
import { resolveRequestOptions, type GuardRequestOptions } from './request-options'
import { registerUpgradeMiddleware } from './upgrade-middleware'

/** `guardMiddleware`'s options: how it judges, and (the same for every request) the request options. */
export type GuardMiddlewareOptions = JudgeOptions & GuardRequestOptions

/**
 * Options per request, like Clerk's `clerkMiddleware(handler, (req) => options)`:
 * one deployment serving several domains gives each its sign-in page and its
 * authorized parties. Called before the guard judges each request;
 * synchronous; return the same object for the same domain (it is checked
 * once per object).
 */
export type GuardRequestOptionsResolver = (event: H3Event) => GuardRequestOptions

/**
 * The guard as an event handler, for a hand-written `server/middleware/*.ts`
 * (set `skipServerMiddleware: true` in the module options). It judges the
 * request by the live config, fills `event.context.auth`, then runs your
 * `handler` — which may add checks of its own and throw to refuse.
 *
 * `handler` runs for the app's own routes only (sign-in and sign-up pages
 * included), never for ignored routes, the guard's own API (`/api/_guard/**`)
 * or the pages a signed-in user needs to finish signing in (the live
 * `mfa.enrollUrl` and `mfa.challengeUrl`, and anything under them): a check
 * such as "enable MFA first" cannot lock a user out of enrolling or signing
 * out. Every reading of the path must be the guard's for `handler` to be
 * skipped, so `/api/_guard/../orders` still runs it for `/api/orders`.
 * WebSocket upgrades (which skip server middleware) get the same: the
 * options and `handler` run for them before the `101`, and what `handler`
 * throws refuses the upgrade with its status.
 *
 * `options` may be a function of the request ({@link GuardRequestOptionsResolver}):
 * `signInUrl`, `signUpUrl`, `afterSignInUrl` and `authorizedParties` then
 * apply to that request only (the guard's own API included), over the live
 * config's and the module's. A URL that is not a same-origin path, or a
 * party that is not an origin, throws at the first request that resolves it.
 *
 * @example
 * // server/middleware/guard.ts, with guard: { skipServerMiddleware: true,
 * //   config: { claims: { template: { isMfa: '{{user.two_factor_enabled}}' } } } }
 * export default guardMiddleware((event) => {
 *   const { userId, sessionClaims } = event.context.auth
 *   const path = getRequestURL(event).pathname
 *   if (userId && path === '/sign-in') {
 *     throw createError({ statusCode: 403, statusMessage: 'You are already signed in.' })
 *   }
 *   if (userId && sessionClaims?.isMfa === undefined) {
 *     throw createError({ statusCode: 403, statusMessage: 'You need to add the `isMfa` claim to your session token.' })
 *   }
 *   if (userId && sessionClaims?.isMfa === false && path !== '/account/manage-mfa/add') {
 *     throw createError({ statusCode: 403, statusMessage: 'You need to enable MFA for your account.' })
 *   }
 * })
 *
 * @example
 * // One server, two domains: each its own sign-in page and its own origin for azp.
 * export default guardMiddleware(undefined, event => getRequestHost(event) === 'exemple.fr'
 *   ? { signInUrl: '/connexion', authorizedParties: ['https://exemple.fr'] }
 *   : { signInUrl: '/sign-in', authorizedParties: ['https://example.com'] })
 */
export function guardMiddleware(handler?: (event: H3Event) => unknown, options: GuardMiddlewareOptions | GuardRequestOptionsResolver = {}): EventHandler {
  const resolve = typeof options === 'function' ? options : undefined
  const judging: JudgeOptions = typeof options === 'function' ? {} : { sortRoutes: options.sortRoutes, enforce: options.enforce }
  // Fixed options are checked once, here; a resolver's per request object (cached per object).
  const fixed = typeof options === 'function' || !hasRequestOptions(options) ? undefined : resolveRequestOptions(options)
  const prepare = (event: H3Event) => {
    if (fixed) event.context.guardRequest = fixed
    else if (resolve) event.context.guardRequest = resolveRequestOptions(resolve(event))
  }
  // WebSocket upgrades skip server middleware: the guard's upgrade hook runs these for them
  // (a plain guardMiddleware(), the module's own, judges upgrades as the hook does without one).
  if (handler || typeof options === 'function' || Object.keys(options).length) registerUpgradeMiddleware({ prepare, judging, handler })
  if (!handler) {
    return defineEventHandler((event) => {
      prepare(event)
      const judged = judgeRequest(event, judging)
      return typeof judged === 'string' ? undefined : judged.then(nothing)
    })
  }
  const sorting = { ...judging, sortRoutes: true }
  return defineEventHandler((event) => {
    prepare(event)
    const judged = judgeRequest(event, sorting)
    if (typeof judged === 'string') return judged === 'app' ? handler(event) : undefined
    return judged.then(outcome => (outcome === 'app' ? handler(event) : undefined))
  })
}

function nothing(_judged: Judgement): undefined {
  return undefined
}

function hasRequestOptions(options: GuardRequestOptions): boolean {
  return options.signInUrl !== undefined || options.signUpUrl !== undefined || options.afterSignInUrl !== undefined || options.authorizedParties !== undefined
}

import { defineEventHandler, type EventHandler, type H3Event } from 'h3'
import { judgeRequest, type JudgeOptions, type Judgement } from './judge-request'

export type GuardMiddlewareOptions = JudgeOptions

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
 */
export function guardMiddleware(handler?: (event: H3Event) => unknown, options: GuardMiddlewareOptions = {}): EventHandler {
  if (!handler) {
    return defineEventHandler((event) => {
      const judged = judgeRequest(event, options)
      return typeof judged === 'string' ? undefined : judged.then(nothing)
    })
  }
  const sorting = { ...options, sortRoutes: true }
  return defineEventHandler((event) => {
    const judged = judgeRequest(event, sorting)
    if (typeof judged === 'string') return judged === 'app' ? handler(event) : undefined
    return judged.then(outcome => (outcome === 'app' ? handler(event) : undefined))
  })
}

function nothing(_judged: Judgement): undefined {
  return undefined
}

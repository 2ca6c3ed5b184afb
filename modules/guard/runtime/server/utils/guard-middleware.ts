import { defineEventHandler, type EventHandler, type H3Event } from 'h3'
import { judgeRequest, type JudgeOptions } from './judge-request'

export type GuardMiddlewareOptions = JudgeOptions

/**
 * The guard as an event handler, for a hand-written `server/middleware/*.ts`
 * (set `skipServerMiddleware: true` in the module options). It judges the
 * request by the live config, fills `event.context.auth`, then runs your
 * `handler` — which may add checks of its own and throw to refuse.
 *
 * @example
 * // server/middleware/guard.ts
 * export default guardMiddleware(async (event) => {
 *   const { userId, sessionClaims } = event.context.auth
 *   if (userId && sessionClaims?.isMfa === false) {
 *     throw createError({ statusMessage: 'You need to enable MFA for your account.' })
 *   }
 * })
 */
export function guardMiddleware(handler?: (event: H3Event) => unknown, options: GuardMiddlewareOptions = {}): EventHandler {
  return defineEventHandler((event) => {
    const judged = judgeRequest(event, options)
    if (judged === false) return handler?.(event)
    if (judged === true) return undefined
    return judged.then(answered => (answered ? undefined : handler?.(event)))
  })
}

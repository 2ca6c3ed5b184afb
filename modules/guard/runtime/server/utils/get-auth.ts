import type { H3Event } from 'h3'
import { signedOutAuth, type GuardAuth } from '../../core/policy/auth'

/**
 * Who is asking, as the guard middleware resolved it. Signed out on ignored
 * routes (the guard does no work there) and when nobody is signed in.
 *
 * @example
 * export default defineEventHandler((event) => {
 *   const { userId } = getAuth(event)
 *   return { hello: userId ?? 'stranger' }
 * })
 */
export function getAuth(event: H3Event): GuardAuth {
  return event.context.auth ?? signedOutAuth
}

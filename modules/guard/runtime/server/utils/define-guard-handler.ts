import { defineEventHandler, getRequestHeader, readBody, setResponseHeader, type EventHandler, type EventHandlerRequest, type H3Event } from 'h3'
import type { ZodType } from 'zod'
import { GuardError, isGuardError, isUnavailableError, sendGuardError, unavailableError } from './errors'
import { readyGuard } from './guard-instance'
import { credentialsUnchecked } from './judge-request'
import { isSameOrigin } from './same-origin'
import { GUARD_BODY_LIMIT_BYTES, readBodyWithin } from './body-limit'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Wraps a guard API handler: state-changing requests must be JSON (or carry
 * no body at all) and, when the browser names an Origin, same-origin (CSRF);
 * responses are never cached. The one place the API turns a refusal into its
 * answer: a thrown {@link GuardError} is sent as
 * `{ error, error_description, ...details }` with its registry status (and
 * `Retry-After` where its code says so); an outage of the database or keys
 * answers 503 `temporarily_unavailable`, never a bare 500. The handler's
 * return type is kept, so Nitro types `$fetch('/api/_guard/…')` in the app.
 *
 * @example
 * export default defineGuardHandler(async (event) => ({ ok: true }))
 */
export function defineGuardHandler<T>(handler: (event: H3Event) => Promise<T> | T): EventHandler<EventHandlerRequest, Promise<T>> {
  return defineEventHandler(async (event): Promise<T> => {
    setResponseHeader(event, 'cache-control', 'no-store')
    try {
      if (UNSAFE.has(event.method)) assertSameOriginJson(event)
      return await handler(event)
    }
    catch (error) {
      const answer = guardAnswer(event, error)
      if (!answer) throw error
      // The error body is sent here; nothing is left for the handler's own return value.
      return sendGuardError(event, answer) as Promise<never>
    }
  })
}

/**
 * The one place an outage becomes 503 `temporarily_unavailable` on the
 * guard's API: storage unreachable (see isUnavailableError), the guard not
 * started (its start-up failed, so `useGuard()` threw), or a 401
 * `unauthenticated` for a request whose session credentials could not be
 * checked because storage is down — a signed-in user is never told "not
 * signed in" by an outage. Any other GuardError is the answer itself.
 */
function guardAnswer(event: H3Event, error: unknown): GuardError<string> | undefined {
  if (isGuardError(error)) return error.answersAs === 'unauthenticated' && credentialsUnchecked(event) ? unavailableError(error) : error
  if (isUnavailableError(error) || !readyGuard()) return unavailableError(error)
  return undefined
}

function assertSameOriginJson(event: H3Event): void {
  const origin = getRequestHeader(event, 'origin')
  if (origin && !isSameOrigin(event, origin)) {
    throw new GuardError('cross_origin_request', origin === 'null' ? 'Requests from an opaque origin are refused.' : `Requests from ${origin} are refused; call this API from the same origin.`)
  }
  // A browser that leaves Origin out still says where the request came from (Fetch Metadata).
  if (!origin && getRequestHeader(event, 'sec-fetch-site') === 'cross-site') {
    throw new GuardError('cross_origin_request', 'Requests from another site are refused; call this API from the same origin.')
  }
  const type = getRequestHeader(event, 'content-type') ?? ''
  // A body-less DELETE, or a body-less POST that declares no type (`$fetch(url, { method: 'POST' })`),
  // carries nothing to parse; an HTML form always declares one, and a browser's cross-site
  // request names its Origin and was refused above.
  if (!hasBody(event) && (event.method === 'DELETE' || (event.method === 'POST' && !type))) return
  if (!type.toLowerCase().startsWith('application/json')) throw new GuardError('unsupported_media_type')
}

function hasBody(event: H3Event): boolean {
  const length = getRequestHeader(event, 'content-length')
  return Boolean(getRequestHeader(event, 'transfer-encoding')) || (length !== undefined && length !== '0')
}

/**
 * Reads the JSON body (at most `limitBytes`: 413 `payload_too_large` past
 * it, before it is buffered) and validates it; refuses with 422 naming each field.
 *
 * @example
 * const { email, password } = await readGuardBody(event, signInSchema)
 */
export async function readGuardBody<T>(event: H3Event, schema: ZodType<T>, limitBytes = GUARD_BODY_LIMIT_BYTES): Promise<T> {
  await readBodyWithin(event, limitBytes)
  const body = await readBody(event).catch(() => {
    throw new GuardError('malformed_request', 'The request body is not valid JSON.')
  })
  const result = schema.safeParse(body ?? {}, { reportInput: true })
  if (result.success) return result.data
  const fields = Object.fromEntries(result.error.issues.map(issue => [issue.path.join('.') || 'body', fieldMessage(issue)]))
  const [field, message] = Object.entries(fields)[0]!
  throw new GuardError('invalid_request', `${field}: ${message}`, { field, fields })
}

/** A field's complaint in words a person can act on: a missing field says it is required (zod's default names types). */
function fieldMessage(issue: { code: string; message: string; input?: unknown; expected?: unknown }): string {
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) return `required${typeof issue.expected === 'string' ? ` (${withArticle(issue.expected)})` : ''}`
  if (issue.code === 'invalid_type' && typeof issue.expected === 'string') return `must be ${withArticle(issue.expected)}`
  return issue.message
}

/** `a string`, `an object`, `an array` (zod's `record` is a JSON object to the sender). */
const withArticle = (type: string) => {
  const noun = type === 'record' ? 'object' : type
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`
}

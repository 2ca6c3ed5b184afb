import { createError, send, setResponseHeader, setResponseStatus, type H3Error, type H3Event } from 'h3'
import { GuardError, GUARD_ERROR_CODES, isGuardError, type GuardErrorBody } from '../../core/errors'

export { GuardError, isGuardError, type GuardErrorBody }

/**
 * Answers with a guard error: its registry status, `Retry-After` when its
 * code sends one, and the JSON body `{ error, error_description, ...details }`,
 * never cached. The one translation of a GuardError into a response
 * (`defineGuardHandler` and the middleware call it).
 *
 * @example
 * return sendGuardError(event, new GuardError('unauthenticated', 'Sign in first.'))
 */
export function sendGuardError(event: H3Event, error: GuardError<string>): Promise<void> {
  setRetryAfter(event, error)
  setResponseStatus(event, error.status)
  setResponseHeader(event, 'content-type', 'application/json')
  setResponseHeader(event, 'cache-control', 'no-store')
  return send(event, JSON.stringify(error.body()))
}

/**
 * The same answer as an H3 error, for code that throws to Nitro's error
 * handler instead of answering (`requireAuth` in an app's own handler, a
 * denied page rendered by Nuxt's error page): `data` is the guard body,
 * `statusMessage` the body's `error`; sets `Retry-After` on the response.
 *
 * @example
 * throw toH3Error(event, new GuardError('forbidden', 'You need the admin role.'))
 */
export function toH3Error(event: H3Event, error: GuardError<string>): H3Error<GuardErrorBody> {
  setRetryAfter(event, error)
  return createError({ statusCode: error.status, statusMessage: error.answersAs, message: error.description, data: error.body(), cause: error })
}

function setRetryAfter(event: H3Event, error: GuardError<string>): void {
  if (error.retryAfterSeconds !== undefined) setResponseHeader(event, 'retry-after', error.retryAfterSeconds)
}

/** Seconds a client is told to wait (`Retry-After`) when storage or keys are unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = GUARD_ERROR_CODES.temporarily_unavailable.retryAfterSeconds

/**
 * The 503 `temporarily_unavailable` answered while the database or the key
 * set cannot be reached (`Retry-After` comes with it when it is sent).
 *
 * @example
 * if (!healthy) throw unavailableError(cause)
 */
export function unavailableError(cause?: unknown): GuardError {
  return new GuardError('temporarily_unavailable', undefined, {}, cause === undefined ? undefined : { cause })
}

/** SQLSTATE classes and codes that mean "the server cannot be used right now", not "the query is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4])/
/** Node socket errors on the way to the database. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
/** What pg, pg-pool and PGlite say when their connection is gone. */
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|not queryable|Cannot use a pool after calling end|PGlite is closed/i

/**
 * Whether an error means storage is unreachable (connection refused, reset
 * or timed out, the server shutting down or out of connections, the
 * embedded database closed) rather than a bug or bad input: such errors
 * answer 503 `temporarily_unavailable`, never 500. Follows `cause` and
 * `AggregateError.errors`.
 *
 * @example
 * isUnavailableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) // true
 */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
  if (typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || (code.length === 5 && UNAVAILABLE_SQLSTATE.test(code)))) return true
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true
  if (Array.isArray(errors) && errors.some(inner => isUnavailableError(inner, depth + 1))) return true
  return isUnavailableError(cause, depth + 1)
}

/** The request path with its query, for `redirect_url` (always same-origin and relative). */
export function returnPath(event: H3Event): string {
  return event.path || '/'
}

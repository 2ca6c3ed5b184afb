import { createError, send, setResponseHeader, setResponseStatus, type H3Error, type H3Event } from 'h3'

/** The body of every guard error: `{ error, error_description, ...details }`. */
export interface GuardErrorBody { error: string; error_description: string; [detail: string]: unknown }

/**
 * Makes an H3 error whose `data` is a guard error body. Throw it from any
 * handler; guard handlers send `data` as the JSON body.
 *
 * @example
 * throw guardError(422, 'invalid_request', 'email: enter a valid email address', { field: 'email' })
 */
export function guardError(status: number, error: string, description: string, details: Record<string, unknown> = {}): H3Error<GuardErrorBody> {
  return createError({ statusCode: status, statusMessage: error, message: description, data: { error, error_description: description, ...details } })
}

/**
 * Sends a guard error body as JSON with its status.
 *
 * @example
 * return sendGuardError(event, 401, { error: 'unauthenticated', error_description: 'sign in first' })
 */
export function sendGuardError(event: H3Event, status: number, body: GuardErrorBody): Promise<void> {
  setResponseStatus(event, status)
  setResponseHeader(event, 'content-type', 'application/json')
  setResponseHeader(event, 'cache-control', 'no-store')
  return send(event, JSON.stringify(body))
}

/** Whether a thrown value carries a guard error body. */
export function isGuardError(error: unknown): error is H3Error<GuardErrorBody> {
  const candidate = error as H3Error<Partial<GuardErrorBody>> | undefined
  return typeof candidate?.data?.error === 'string' && typeof candidate.statusCode === 'number'
}

/** Seconds a client is told to wait (`Retry-After`) when storage or keys are unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5

/**
 * The 503 answered while the database or the key set cannot be reached;
 * with `event`, also sets `Retry-After` on the response.
 *
 * @example
 * if (!healthy) throw unavailableError(event)
 */
export function unavailableError(event?: H3Event, cause?: unknown): H3Error<GuardErrorBody> {
  if (event) setResponseHeader(event, 'retry-after', UNAVAILABLE_RETRY_AFTER_SECONDS)
  const error = guardError(503, 'temporarily_unavailable', 'The authentication service cannot reach its database or keys; try again shortly.')
  if (cause !== undefined) error.cause = cause
  return error
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

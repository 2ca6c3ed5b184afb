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

/** The request path with its query, for `redirect_url` (always same-origin and relative). */
export function returnPath(event: H3Event): string {
  return event.path || '/'
}

/**
 * One reading of a failed `$fetch` to the guard API, for the built-in pages,
 * the console's stores and an app's own components alike. Plain TypeScript:
 * it reads ofetch's FetchError (or anything thrown) and needs no Nuxt.
 */

/** A failed request, reduced to what a page shows and decides on. */
export interface ApiProblem {
  /** HTTP status; 0 when the server could not be reached. */
  status: number
  /** The guard error code (`invalid_code`, `stale_version`, …), else `http_<status>` or `network_error`. */
  code: string
  /** A sentence that says what went wrong and what to do next. */
  description: string
  /** The whole error body, so details such as `fields`, `retryAfterSeconds` or `currentVersion` can be read. */
  data: Record<string, unknown>
}

interface FetchFailure {
  status?: number
  statusCode?: number
  response?: { status?: number }
  data?: unknown
}

/**
 * Reads a thrown `$fetch` error as an ApiProblem. A network failure becomes
 * status 0 with a description that says what to do.
 *
 * @example
 * try { await $fetch('/api/_guard/mfa/challenge', { method: 'POST', body }) }
 * catch (error) {
 *   const problem = apiProblem(error)
 *   if (problem.status === 429) wait(Number(problem.data.retryAfterSeconds))
 * }
 */
export function apiProblem(error: unknown): ApiProblem {
  const failure = (error ?? {}) as FetchFailure
  const status = failure.statusCode ?? failure.status ?? failure.response?.status ?? 0
  const data = (failure.data && typeof failure.data === 'object' ? failure.data : {}) as Record<string, unknown>
  const code = typeof data.error === 'string' ? data.error : status ? `http_${status}` : 'network_error'
  const description = typeof data.error_description === 'string' && data.error_description
    ? data.error_description
    : status
      ? `The server answered ${status}. Try again; if it keeps failing, check the server log.`
      : 'Could not reach the server. Check your connection and try again.'
  return { status, code, description, data }
}

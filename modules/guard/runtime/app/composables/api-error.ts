/** What the guard API answers on failure, plus the HTTP status. */
export interface ApiProblem {
  status: number
  error: string
  message: string
  details: Record<string, unknown>
}

/**
 * Reads a failed `$fetch` into `{ status, error, message, details }`; a
 * network failure becomes status 0 with a message saying what to do.
 *
 * @example
 * try { await $fetch('/api/_guard/mfa/challenge', { method: 'POST', body }) }
 * catch (error) { const problem = apiProblem(error); if (problem.status === 429) wait(problem.details.retryAfterSeconds) }
 */
export function apiProblem(error: unknown): ApiProblem {
  const failure = error as { statusCode?: number; status?: number; response?: { status?: number }; data?: unknown } | undefined
  const status = failure?.statusCode ?? failure?.status ?? failure?.response?.status ?? 0
  const data = (failure?.data && typeof failure.data === 'object' ? failure.data : {}) as Record<string, unknown>
  const { error: code, error_description: description, ...details } = data
  const fallback = status === 0
    ? 'Could not reach the server. Check your connection and try again.'
    : `The server answered ${status}. Try again, or reload the page.`
  return {
    status,
    error: typeof code === 'string' ? code : 'unknown_error',
    message: typeof description === 'string' && description ? description : fallback,
    details,
  }
}

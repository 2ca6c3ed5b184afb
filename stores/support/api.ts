/**
 * How the admin stores talk to `/api/_guard/admin/*`: one base path and one
 * reading of a failed `$fetch` (ofetch's FetchError, or anything thrown).
 * Plain TypeScript: the stores use the global `$fetch`, so tests can stub it.
 */

/** Where every console API lives. */
export const ADMIN_API = '/api/_guard/admin'

/** One field-level complaint from the server: `routes.rules.0.pattern` → message. */
export interface FieldIssue { path: string; message: string }

/** A failed request, reduced to what the console shows. */
export interface ApiProblem {
  /** HTTP status; 0 when the server could not be reached. */
  status: number
  /** The guard error code (`stale_version`, `invalid_config`, …) or `network_error`. */
  code: string
  /** A sentence that says what went wrong and what to do next. */
  description: string
  /** The whole error body (details such as `fields`, `currentVersion`). */
  data: Record<string, unknown>
}

interface FetchFailure {
  status?: number
  statusCode?: number
  response?: { status?: number }
  data?: unknown
  message?: string
}

/**
 * Reads a thrown `$fetch` error as an ApiProblem.
 *
 * @example
 * try { await $fetch('/api/_guard/admin/config') }
 * catch (error) { const problem = problemOf(error); if (problem.status === 409) … }
 */
export function problemOf(error: unknown): ApiProblem {
  const failure = (error ?? {}) as FetchFailure
  const status = failure.statusCode ?? failure.status ?? failure.response?.status ?? 0
  const data = (failure.data && typeof failure.data === 'object' ? failure.data : {}) as Record<string, unknown>
  const code = typeof data.error === 'string' ? data.error : status ? `http_${status}` : 'network_error'
  const description = typeof data.error_description === 'string'
    ? data.error_description
    : status
      ? `The server answered ${status}. Try again; if it keeps failing, check the server log.`
      : 'Could not reach the server. Check your connection and try again.'
  return { status, code, description, data }
}

/**
 * The `fields` of a 422 body, or none.
 *
 * @example
 * fieldIssuesOf(problemOf(error)) // → [{ path: 'routes.rules.0.pattern', message: '…' }]
 */
export function fieldIssuesOf(problem: ApiProblem): FieldIssue[] {
  const fields = problem.data.fields
  if (!Array.isArray(fields)) return []
  return fields
    .filter((field): field is FieldIssue => typeof field?.path === 'string' && typeof field?.message === 'string')
    .map(field => ({ path: field.path, message: field.message }))
}

/**
 * The issues whose path is `prefix` or lies under it (`routes.rules.0` covers `routes.rules.0.pattern`).
 *
 * @example
 * issuesUnder(issues, 'routes.public.2')
 */
export function issuesUnder(issues: FieldIssue[], prefix: string): FieldIssue[] {
  if (!prefix) return issues
  return issues.filter(issue => issue.path === prefix || issue.path.startsWith(`${prefix}.`))
}

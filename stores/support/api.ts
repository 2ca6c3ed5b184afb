/**
 * How the admin stores talk to `/api/_guard/admin/*`: one base path and one
 * reading of a failed `$fetch` (`apiProblem`, shared with the built-in pages).
 * Plain TypeScript: the stores use the global `$fetch`, so tests can stub it.
 */

import type { ApiProblem } from '#guard/app/utils/api-problem'

export { apiProblem, type ApiProblem } from '#guard/app/utils/api-problem'

/** Where every console API lives. */
export const ADMIN_API = '/api/_guard/admin'

/** One field-level complaint from the server: `routes.rules.0.pattern` → message. */
export interface FieldIssue { path: string; message: string }

/**
 * The `fields` of a 422 body, or none.
 *
 * @example
 * fieldIssuesOf(apiProblem(error)) // → [{ path: 'routes.rules.0.pattern', message: '…' }]
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

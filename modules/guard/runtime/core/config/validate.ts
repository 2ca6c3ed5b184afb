import type { core } from 'zod'
import { guardConfigSchema, type GuardConfig } from './schema'

/** One problem in a config document, addressed by its dotted path (`routes.rules.3.pattern`). */
export interface ConfigIssue { path: string; message: string }

export type ConfigValidation =
  | { ok: true; config: GuardConfig }
  | { ok: false; issues: ConfigIssue[] }

/**
 * Validates a config document and fills in every default. Field-level issues
 * come back with dotted paths so an editor can mark the exact field.
 *
 * @example
 * const result = validateConfig({ routes: { public: ['/users/:id'] } })
 * if (!result.ok) console.log(result.issues[0])
 * // { path: 'routes.public.0', message: 'path-to-regexp parameters are not supported; use /users/*' }
 */
export function validateConfig(input: unknown): ConfigValidation {
  const parsed = guardConfigSchema.safeParse(input ?? {})
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.flatMap(issue => toConfigIssues(issue, [])) }
  }
  const { version: _version, ...config } = parsed.data
  return { ok: true, config }
}

/**
 * Turns a zod issue into issues an editor can pin to a field: one per unknown
 * key, and for a union (an MFA requirement) the errors of the branch the input
 * was meant for, instead of a bare "Invalid input".
 */
function toConfigIssues(issue: core.$ZodIssue, prefix: PropertyKey[]): ConfigIssue[] {
  const path = [...prefix, ...issue.path]
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map(key => ({ path: dotted([...path, key]), message: `unknown field "${key}"; check its spelling` }))
  }
  if (issue.code === 'invalid_union' && issue.errors.length) {
    // The branch that got furthest into the input is the one the author meant.
    const depth = (branch: core.$ZodIssue[]) => Math.max(...branch.map(inner => inner.path.length))
    const meant = issue.errors.reduce((best, branch) => (depth(branch) > depth(best) ? branch : best))
    return meant.flatMap(inner => toConfigIssues(inner, path))
  }
  return [{ path: dotted(path), message: issue.message }]
}

const dotted = (path: PropertyKey[]) => path.map(String).join('.') || '(document)'

/**
 * Formats issues as one readable block, for start-up errors and logs.
 *
 * @example
 * throw new Error(`Invalid guard config:\n${formatConfigIssues(result.issues)}`)
 */
export function formatConfigIssues(issues: ConfigIssue[]): string {
  return issues.map(issue => `  - ${issue.path}: ${issue.message}`).join('\n')
}

/**
 * The config you get from an empty document: every default.
 *
 * @example
 * defaultConfig().routes.mode // 'protect-all'
 */
export function defaultConfig(): GuardConfig {
  const { version: _version, ...config } = guardConfigSchema.parse({})
  return config
}

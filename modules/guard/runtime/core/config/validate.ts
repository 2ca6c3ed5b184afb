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
    return {
      ok: false,
      issues: parsed.error.issues.map(issue => ({ path: issue.path.map(String).join('.') || '(document)', message: issue.message })),
    }
  }
  const { version: _version, ...config } = parsed.data
  return { ok: true, config }
}

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

import { validateConfig, type ConfigIssue } from '../config/validate'
import type { GuardConfig } from '../config/schema'
import { compilePolicy, type CompiledPolicy } from '../policy/compile'
import { DEFAULT_CONSOLE_PATH } from './console-access'
import { checkConfigSafety } from './safety'

/** A candidate document after every check a save runs. */
export type ConfigReview =
  | { ok: true; config: GuardConfig; policy: CompiledPolicy }
  /** `invalid`: the schema refused it (422 invalid_config); `unsafe`: it would lock people out (422 unsafe_config). */
  | { ok: false; kind: 'invalid' | 'unsafe'; fields: ConfigIssue[] }

/**
 * Validates a candidate document with the config schema, compiles it with
 * the real policy compiler (as version 0: see `asVersion`) and runs the
 * safety checks, keeping `consolePath` (the module's `console.path`)
 * reachable. Saves nothing.
 *
 * @example
 * const review = reviewConfig(body.document, Date.now() / 1000, '/admin')
 * if (!review.ok) throw new GuardError(review.kind === 'invalid' ? 'invalid_config' : 'unsafe_config', '…', { fields: review.fields })
 */
export function reviewConfig(document: unknown, nowSeconds: number, consolePath: string = DEFAULT_CONSOLE_PATH): ConfigReview {
  const result = validateConfig(document)
  if (!result.ok) return { ok: false, kind: 'invalid', fields: result.issues }
  const policy = compilePolicy(result.config, 0)
  const unsafe = checkConfigSafety(policy, nowSeconds, consolePath)
  if (unsafe.length) return { ok: false, kind: 'unsafe', fields: unsafe }
  return { ok: true, config: result.config, policy }
}

import type { GuardConfigInput } from '../../modules/guard/runtime/core/config/schema'
import { formatConfigIssues, validateConfig } from '../../modules/guard/runtime/core/config/validate'
import { compilePolicy, type CompiledPolicy } from '../../modules/guard/runtime/core/policy/compile'
import { BASIC_ROLES, BASIC_ROUTES } from '../fixtures/basic/guard-seed'

/** Unix seconds the admin unit tests judge at. */
export const NOW_S = 1_900_000_000

export { BASIC_ROUTES }

/** Validates and compiles a test config; throws with the issues when it is invalid. */
export function policyOf(input: GuardConfigInput = {}, version = 1): CompiledPolicy {
  const result = validateConfig(input)
  if (!result.ok) throw new Error(`invalid test config:\n${formatConfigIssues(result.issues)}`)
  return compilePolicy(result.config, version)
}

/** The basic fixture's config with `overrides` merged in at the top level. */
export function basicConfig(overrides: GuardConfigInput = {}): GuardConfigInput {
  return { routes: BASIC_ROUTES, roles: BASIC_ROLES, ...overrides }
}

import type { GuardConfigInput } from '../../modules/guard/runtime/core/config/schema'
import { formatConfigIssues, validateConfig } from '../../modules/guard/runtime/core/config/validate'
import { compilePolicy, type CompiledPolicy } from '../../modules/guard/runtime/core/policy/compile'

/** Unix seconds the admin unit tests judge at. */
export const NOW_S = 1_900_000_000

/** The route lists of the e2e `basic` fixture, so unit and e2e tests judge the same config. */
export const BASIC_ROUTES = {
  mode: 'protect-all' as const,
  public: ['/', '/sign-in', '/sign-up', '/public/**', '/api/public/**'],
  ignored: ['/_nuxt/**', '/favicon.ico', '/__nuxt_error', '/health'],
  api: ['/api/**'],
  rules: [
    { pattern: '/admin/**', require: { roles: ['admin'] } },
    { pattern: '/api/reports/**', require: { permissions: ['reports:read'] } },
  ],
}

/** Validates and compiles a test config; throws with the issues when it is invalid. */
export function policyOf(input: GuardConfigInput = {}, version = 1): CompiledPolicy {
  const result = validateConfig(input)
  if (!result.ok) throw new Error(`invalid test config:\n${formatConfigIssues(result.issues)}`)
  return compilePolicy(result.config, version)
}

/** The basic fixture's config with `overrides` merged in at the top level. */
export function basicConfig(overrides: GuardConfigInput = {}): GuardConfigInput {
  return { routes: BASIC_ROUTES, roles: { admin: ['guard:admin', 'reports:read'], member: [] }, ...overrides }
}

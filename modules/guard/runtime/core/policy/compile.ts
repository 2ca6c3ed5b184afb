import type { GuardConfig, RouteRequirement } from '../config/schema'
import { compileMatcher, createPathSet } from '../routing/matcher'

/** The guard's own API: always reachable, every handler checks for itself. */
export const GUARD_API_PATTERN = '/api/_guard/**'

/** A config rule with its position in `routes.rules`. */
export interface CompiledRule { index: number; pattern: string; require: RouteRequirement }

/** How a request's path is treated before anyone's identity is known. */
export type RouteClass =
  | { kind: 'ignored' }
  | { kind: 'public'; api: boolean }
  | { kind: 'protected'; api: boolean; rules: readonly CompiledRule[]; mfaExempt: boolean }

/** A config compiled for the hot path: matchers built once, lookups only. */
export interface CompiledPolicy {
  readonly version: number
  readonly config: GuardConfig
  /** Classifies every reading of a path and keeps the most restrictive outcome. */
  classify(readings: readonly string[]): RouteClass
  /** Union of the permissions of these roles under this config (memoised). */
  permissionsFor(roles: readonly string[]): ReadonlySet<string>
}

const IGNORED: RouteClass = { kind: 'ignored' }
const PUBLIC_PAGE: RouteClass = { kind: 'public', api: false }
const PUBLIC_API: RouteClass = { kind: 'public', api: true }
const NO_RULES: readonly CompiledRule[] = []

/**
 * Compiles a validated config into matchers. Runs once per saved version,
 * never per request.
 *
 * @example
 * const policy = compilePolicy(config, 7)
 * policy.classify(['/admin/users']) // { kind: 'protected', rules: [...], ... }
 */
export function compilePolicy(config: GuardConfig, version: number): CompiledPolicy {
  const { routes, mfa } = config
  const guardApi = createPathSet([GUARD_API_PATTERN])
  const authPages = createPathSet([config.signInUrl, config.signUpUrl])
  const mfaPages = createPathSet([mfa.enrollUrl, mfa.challengeUrl])
  const ignored = createPathSet(routes.ignored)
  const publicPaths = createPathSet(routes.public)
  const api = createPathSet(routes.api)
  const rules = compileMatcher(routes.rules.map((rule, index) => ({
    pattern: rule.pattern,
    data: { index, pattern: rule.pattern, require: rule.require } satisfies CompiledRule,
  })))
  const protectByDefault = routes.mode === 'protect-all'

  function classifyOne(path: string): RouteClass {
    if (guardApi.has(path)) return PUBLIC_API
    if (authPages.has(path)) return PUBLIC_PAGE
    const isApi = api.has(path)
    const matched = rules.match(path)
    // MFA pages need a signed-in user and keep their rules' roles; only MFA itself is waived there.
    if (mfaPages.has(path)) return { kind: 'protected', api: isApi, rules: matched.length ? matched : NO_RULES, mfaExempt: true }
    if (matched.length) return { kind: 'protected', api: isApi, rules: matched, mfaExempt: false }
    if (ignored.has(path)) return IGNORED
    if (publicPaths.has(path) || !protectByDefault) return isApi ? PUBLIC_API : PUBLIC_PAGE
    return { kind: 'protected', api: isApi, rules: NO_RULES, mfaExempt: false }
  }

  const permissionCache = new Map<string, ReadonlySet<string>>()

  return {
    version,
    config,
    classify(readings) {
      if (readings.length === 1) return classifyOne(readings[0]!)
      return mostRestrictive(readings.map(classifyOne))
    },
    permissionsFor(roles) {
      const key = roles.join('\n')
      let permissions = permissionCache.get(key)
      if (!permissions) {
        permissions = new Set(roles.flatMap(role => config.roles[role] ?? []))
        if (permissionCache.size < 10_000) permissionCache.set(key, permissions)
      }
      return permissions
    },
  }
}

/**
 * Combines the classes of several readings of one path: protected beats
 * public beats ignored; rules are united; an API reading makes it API; the
 * MFA exemption holds only if every protected reading has it.
 */
function mostRestrictive(classes: RouteClass[]): RouteClass {
  let api = false
  let anyPublic = false
  let anyProtected = false
  let mfaExempt = true
  const rules = new Map<number, CompiledRule>()
  for (const routeClass of classes) {
    if (routeClass.kind === 'ignored') continue
    api ||= routeClass.api
    if (routeClass.kind === 'public') { anyPublic = true; continue }
    anyProtected = true
    mfaExempt &&= routeClass.mfaExempt
    for (const rule of routeClass.rules) rules.set(rule.index, rule)
  }
  if (anyProtected) {
    const united = [...rules.values()].sort((a, b) => a.index - b.index)
    return { kind: 'protected', api, rules: united, mfaExempt }
  }
  if (anyPublic) return api ? PUBLIC_API : PUBLIC_PAGE
  return IGNORED
}

import type { GuardConfig, RouteRequirement } from '../config/schema'
import { compileMatcher } from '../routing/matcher'
import { registeredPageRules, type PageRule } from './page-rules'

/** The guard's own API: always reachable, every handler checks for itself. */
export const GUARD_API_PATTERN = '/api/_guard/**'

/**
 * A config rule with its position in `routes.rules`; a page's rule (`definePageMeta({ guard })`)
 * comes after them (index `routes.rules.length + n`) and names its `page` file.
 */
export interface CompiledRule { index: number; pattern: string; require: RouteRequirement; page?: string }

/** How a request's path is treated before anyone's identity is known. */
export type RouteClass =
  | { kind: 'ignored' }
  | { kind: 'public'; api: boolean }
  | {
    kind: 'protected'
    api: boolean
    rules: readonly CompiledRule[]
    mfaExempt: boolean
    /**
     * Only on the verify-email page (`account.verifyEmailUrl`) and the MFA pages: no email-verification
     * check applies there (the verify page comes first and is exempt from MFA too, so neither can loop).
     */
    verifyExempt?: true
    /**
     * On the organization selection and invitation pages (`organizations.orgSelectionUrl`,
     * `invitationUrl`), and the verify-email and MFA pages: no organization requirement applies
     * there (a user without an active organization chooses or joins one there, and finishes
     * signing in before choosing), so none of them can send the user in circles.
     */
    orgExempt?: true
  }

/** A config compiled for the hot path: matchers built once, lookups only. */
export interface CompiledPolicy {
  readonly version: number
  readonly config: GuardConfig
  /** Classifies every reading of a path and keeps the most restrictive outcome. */
  classify(readings: readonly string[]): RouteClass
  /** Union of the permissions of these roles under this config (memoised). */
  permissionsFor(roles: readonly string[]): ReadonlySet<string>
  /** The pages' own rules (`definePageMeta({ guard })`) judged after `config.routes.rules`. */
  readonly pageRules: readonly PageRule[]
}

const IGNORED: RouteClass = { kind: 'ignored' }
const PUBLIC_PAGE: RouteClass = { kind: 'public', api: false }
const PUBLIC_API: RouteClass = { kind: 'public', api: true }
const NO_RULES: readonly CompiledRule[] = []
const PROTECTED_PAGE: RouteClass = { kind: 'protected', api: false, rules: NO_RULES, mfaExempt: false }
const PROTECTED_API: RouteClass = { kind: 'protected', api: true, rules: NO_RULES, mfaExempt: false }

/** How many single-reading paths each compiled version remembers the class of. */
const CLASS_CACHE_SIZE = 10_000

/** The built-in page that resets a forgotten password: public, like sign-in. */
export const PASSWORD_RESET_PAGE = '/forgot-password'

/** Which list an entry of the one compiled matcher came from. */
const GUARD_API = 1
const AUTH_PAGE = 2
const MFA_PAGE = 4
const IGNORED_LIST = 8
const PUBLIC_LIST = 16
/** The built-in page where an invited person chooses a password: public, like sign-in. */
export const INVITATION_PAGE = '/accept-invitation'
const API_LIST = 32
const RULE = 64
const VERIFY_PAGE = 128
const ORG_PAGE = 256

interface Entry { list: number; rule?: CompiledRule }

/**
 * Compiles a validated config into one radix tree holding every list and rule,
 * so classifying a path is a single lookup. Runs once per saved version,
 * never per request.
 *
 * `pageRules` (default: the app's, registered at start-up from its pages' `guard` meta) join the
 * config's rules after them, so every compile (live, console save, simulator) judges pages alike.
 *
 * @example
 * const policy = compilePolicy(config, 7)
 * policy.classify(['/admin/users']) // { kind: 'protected', rules: [...], ... }
 */
export function compilePolicy(config: GuardConfig, version: number, pageRules: readonly PageRule[] = registeredPageRules()): CompiledPolicy {
  const { routes, mfa } = config
  const entries: { pattern: string; data: Entry }[] = routes.rules.map((rule, index) => ({
    pattern: rule.pattern,
    data: { list: RULE, rule: { index, pattern: rule.pattern, require: rule.require } },
  }))
  pageRules.forEach(({ pattern, require, page }, n) => {
    entries.push({ pattern, data: { list: RULE, rule: { index: routes.rules.length + n, pattern, require, page } } })
  })
  const add = (list: number, patterns: string[]) => { for (const pattern of patterns) entries.push({ pattern, data: { list } }) }
  add(GUARD_API, [GUARD_API_PATTERN])
  add(AUTH_PAGE, [config.signInUrl, config.signUpUrl, PASSWORD_RESET_PAGE, INVITATION_PAGE])
  add(MFA_PAGE, [mfa.enrollUrl, mfa.challengeUrl])
  add(VERIFY_PAGE, [config.account.verifyEmailUrl])
  add(ORG_PAGE, [config.organizations.orgSelectionUrl, config.organizations.invitationUrl])
  add(IGNORED_LIST, routes.ignored)
  add(PUBLIC_LIST, routes.public)
  add(API_LIST, routes.api)
  const matcher = compileMatcher(entries)
  const protectByDefault = routes.mode === 'protect-all'

  function classifyOne(path: string): RouteClass {
    let lists = 0
    let rules: CompiledRule[] | undefined
    for (const entry of matcher.match(path)) { // in entry order: rules first, by index
      lists |= entry.list
      if (entry.rule) (rules ??= []).push(entry.rule)
    }
    if (lists & GUARD_API) return PUBLIC_API
    if (lists & AUTH_PAGE) return PUBLIC_PAGE
    const api = (lists & API_LIST) !== 0
    // The verify-email page needs a signed-in user and keeps its rules' roles; it comes before MFA, so MFA is waived there too.
    if (lists & VERIFY_PAGE) return { kind: 'protected', api, rules: rules ?? NO_RULES, mfaExempt: true, verifyExempt: true, orgExempt: true }
    // MFA pages need a signed-in user and keep their rules' roles; only MFA and the address check are waived there.
    if (lists & MFA_PAGE) return { kind: 'protected', api, rules: rules ?? NO_RULES, mfaExempt: true, verifyExempt: true, orgExempt: true }
    // The organization pages keep everything but their rules' organization parts (the address and MFA come first).
    if (rules) return lists & ORG_PAGE ? { kind: 'protected', api, rules, mfaExempt: false, orgExempt: true } : { kind: 'protected', api, rules, mfaExempt: false }
    if (lists & IGNORED_LIST) return IGNORED
    if (lists & PUBLIC_LIST || !protectByDefault) return api ? PUBLIC_API : PUBLIC_PAGE
    return api ? PROTECTED_API : PROTECTED_PAGE
  }

  const permissionCache = new Map<string, ReadonlySet<string>>()
  // Paths repeat: remember each canonical path's class for this version. Bounded, and
  // emptied when full, so a flood of distinct paths costs only the lookups it would anyway.
  const classCache = new Map<string, RouteClass>()

  return {
    version,
    config,
    pageRules,
    classify(readings) {
      if (readings.length !== 1) return mostRestrictive(readings.map(classifyOne))
      const path = readings[0]!
      let routeClass = classCache.get(path)
      if (!routeClass) {
        routeClass = classifyOne(path)
        if (classCache.size >= CLASS_CACHE_SIZE) classCache.clear()
        classCache.set(path, routeClass)
      }
      return routeClass
    },
    permissionsFor(roles) {
      const key = roles.length === 1 ? roles[0]! : roles.join('\n')
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
 * The same compiled policy under another version number: a candidate is
 * compiled once (as version 0) to be checked, and goes live under the version
 * it was saved as, without compiling it again. Shares the matcher and caches.
 *
 * @example
 * const candidate = compilePolicy(config, 0)
 * asVersion(candidate, 8).version // 8, judging exactly like candidate
 */
export function asVersion(policy: CompiledPolicy, version: number): CompiledPolicy {
  return { ...policy, version }
}

/**
 * Combines the classes of several readings of one path: protected beats
 * public beats ignored; rules are united; an API reading makes it API; the
 * MFA, verify-email and organization exemptions hold only if every protected reading has them.
 */
function mostRestrictive(classes: RouteClass[]): RouteClass {
  let api = false
  let anyPublic = false
  let anyProtected = false
  let mfaExempt = true
  let verifyExempt = true
  let orgExempt = true
  const rules = new Map<number, CompiledRule>()
  for (const routeClass of classes) {
    if (routeClass.kind === 'ignored') continue
    api ||= routeClass.api
    if (routeClass.kind === 'public') { anyPublic = true; continue }
    anyProtected = true
    mfaExempt &&= routeClass.mfaExempt
    verifyExempt &&= routeClass.verifyExempt === true
    orgExempt &&= routeClass.orgExempt === true
    for (const rule of routeClass.rules) rules.set(rule.index, rule)
  }
  if (anyProtected) {
    const united = [...rules.values()].sort((a, b) => a.index - b.index)
    const protectedClass: RouteClass = verifyExempt ? { kind: 'protected', api, rules: united, mfaExempt, verifyExempt } : { kind: 'protected', api, rules: united, mfaExempt }
    return orgExempt ? { ...protectedClass, orgExempt } : protectedClass
  }
  if (anyPublic) return api ? PUBLIC_API : PUBLIC_PAGE
  return IGNORED
}

import type { RouteRequirement } from '../config/schema'
import { validateConfig, type ConfigIssue } from '../config/validate'

/**
 * A route rule written in a page, not in the config: `definePageMeta({ guard: { mfa: false } })`
 * in `pages/report.vue` becomes `{ pattern: '/report', require: { mfa: false }, page: 'pages/report.vue' }`.
 * The module reads page meta at build time (Nuxt's `scanPageMeta`) and the server judges the page's
 * requests by these rules after the config's own (`routes.rules`), exactly as if an operator had
 * written them there; they are code, so the console shows them but cannot edit them.
 */
export interface PageRule {
  /** Nitro glob of the page's route (`/users/[id].vue` → `/users/*`). */
  pattern: string
  /** The page's `guard` meta: a rule's requirement (`mfa: false` waives the global MFA validators). */
  require: RouteRequirement
  /** The page file the rule came from, relative to the app's root (`pages/report.vue`), for messages. */
  page: string
}

let registered: readonly PageRule[] = Object.freeze([])

/**
 * Checks page rules with the config schema's rule validation (the same patterns and requirements
 * an operator may write); empty when they are all valid. Paths name the page: `pages/x.vue: require.mfa`.
 *
 * @example
 * checkPageRules([{ pattern: '/x', require: { mfa: 'no' }, page: 'pages/x.vue' }])
 * // [{ path: 'pages/x.vue: require.mfa', message: 'Invalid input: expected boolean, received string' }]
 */
export function checkPageRules(rules: readonly PageRule[]): ConfigIssue[] {
  const result = validateConfig({ routes: { rules: rules.map(({ pattern, require }) => ({ pattern, require })) } })
  if (result.ok) return []
  return result.issues.map((issue) => {
    const [, , index, ...rest] = issue.path.split('.')
    const rule = rules[Number(index)]
    return { path: rule ? `${rule.page}: ${rest.join('.') || 'guard'}` : issue.path, message: issue.message }
  })
}

/**
 * Registers the app's page rules, once, when the server starts (the Nitro plugin, from what the
 * build extracted); every policy compiled afterwards judges by them (`compilePolicy`'s default), so
 * the middleware, the client navigation verdict, the simulator and a console save cannot disagree.
 * Throws when a rule does not validate (the build checks the same, so only a tampered build can).
 *
 * @example
 * registerPageRules([{ pattern: '/supertokens-totp', require: { mfa: false }, page: 'pages/supertokens-totp.vue' }])
 */
export function registerPageRules(rules: readonly PageRule[]): void {
  const issues = checkPageRules(rules)
  if (issues.length) throw new Error(`nuxt-guard: a page's \`guard\` meta is invalid: ${issues.map(issue => `${issue.path}: ${issue.message}`).join('; ')}`)
  registered = Object.freeze(rules.map(rule => Object.freeze({ ...rule })))
}

/**
 * The registered page rules (none until `registerPageRules`).
 *
 * @example
 * registeredPageRules() // [{ pattern: '/supertokens-totp', require: { mfa: false }, page: 'pages/supertokens-totp.vue' }]
 */
export function registeredPageRules(): readonly PageRule[] {
  return registered
}

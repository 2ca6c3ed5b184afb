import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { NuxtPage } from '@nuxt/schema'
import type { RouteRequirement } from '../runtime/core/config/schema'
import { checkPattern } from '../runtime/core/routing/pattern'
import { compileMatcher } from '../runtime/core/routing/matcher'
import { checkPageRules, type PageRule } from '../runtime/core/policy/page-rules'

/** The page meta key the module reads (`definePageMeta({ guard: { mfa: false } })`). */
export const PAGE_META_KEY = 'guard'

/** A page route flattened out of the tree, with the `guard` it is judged by (its own, else its parent's). */
interface FlatPage { file: string; paths: string[]; guard?: RouteRequirement; source?: string }

/** Nuxt marks meta it could not read statically with this key (see nuxt's getRouteMeta). */
const DYNAMIC_META_KEY = '__nuxt_dynamic_meta_key'
const PARAM = /^:(\w+)(\([^)]*\))?([?*+])?$/
const SAMPLE = 'guard-sample'

/**
 * Turns the pages' `definePageMeta({ guard })` into server rules: one per glob of each page's path
 * (and aliases); a child route without its own `guard` takes its parent's, as Vue Router's merged
 * `to.meta` does. Problems stop the build: a `guard` Nuxt could not read statically (the server
 * could not know it), an invalid requirement, a path with no glob, and a waiver (`mfa: false`) whose
 * glob also covers another page (one Vue Router gives to a more specific page with another `guard`)
 * or a server route, which would waive MFA where the page's author never said so.
 *
 * @example
 * extractPageRules([{ path: '/report', file: '/app/pages/report.vue', meta: { guard: { mfa: false } } }], { rootDir: '/app' })
 * // { rules: [{ pattern: '/report', require: { mfa: false }, page: 'pages/report.vue' }], problems: [] }
 */
export function extractPageRules(pages: NuxtPage[], options: { rootDir: string; serverRoutes?: string[]; readFile?: (file: string) => string }): { rules: PageRule[]; problems: string[] } {
  const problems: string[] = []
  const name = (file: string) => relative(options.rootDir, file).replace(/\\/g, '/')
  const flat = flatten(pages, '', undefined, problems, options.readFile ?? (file => readFileSync(file, 'utf8')), name)
  const globsOf = new Map<FlatPage, string[]>()
  for (const page of flat) {
    const globs: string[] = []
    for (const path of page.paths) {
      const converted = routeGlobs(path)
      if (typeof converted === 'string') { if (page.guard) problems.push(`${name(page.file)}: ${converted}`); continue }
      globs.push(...converted)
    }
    globsOf.set(page, [...new Set(globs)])
  }
  const rules: PageRule[] = []
  for (const page of flat) {
    if (!page.guard) continue
    for (const pattern of globsOf.get(page)!) rules.push({ pattern, require: page.guard, page: page.source! })
  }
  const invalid = checkPageRules(rules)
  problems.push(...new Set(invalid.map(issue => `${issue.path}: ${issue.message}`)))
  if (!invalid.length) problems.push(...waiverOvercoverage(flat, globsOf, options.serverRoutes ?? [], name))
  return { rules: dedupe(rules), problems }
}

function flatten(pages: NuxtPage[], parent: string, inherited: FlatPage | undefined, problems: string[], readFile: (file: string) => string, name: (file: string) => string): FlatPage[] {
  const flat: FlatPage[] = []
  for (const page of pages) {
    const join = (path: string) => (path.startsWith('/') ? path : `${parent.replace(/\/$/, '')}/${path}`)
    const path = join(page.path)
    const meta = (page.meta ?? {}) as Record<string, unknown>
    const own = meta[PAGE_META_KEY]
    if (page.file && own === undefined && unreadGuard(meta, page.file, readFile)) {
      problems.push(`${name(page.file)}: definePageMeta's \`guard\` must be a literal object such as { mfa: false } (the server reads it at build time)`)
    }
    if (own !== undefined && (typeof own !== 'object' || own === null || Array.isArray(own))) {
      problems.push(`${name(page.file ?? path)}: \`guard\` must be an object such as { mfa: false } or { stepUp: { maxAgeSeconds: 300 } }`)
    }
    const aliases = [page.alias ?? []].flat().map(alias => join(alias))
    const entry: FlatPage = own && typeof own === 'object'
      ? { file: page.file ?? path, paths: [path, ...aliases], guard: own as RouteRequirement, source: name(page.file ?? path) }
      : { file: page.file ?? path, paths: [path, ...aliases], guard: inherited?.guard, source: inherited?.source }
    flat.push(entry)
    if (page.children?.length) flat.push(...flatten(page.children, path, entry.guard ? entry : undefined, problems, readFile, name))
  }
  return flat
}

/** Nuxt could not read some meta statically and the page's definePageMeta names `guard`. */
function unreadGuard(meta: Record<string, unknown>, file: string, readFile: (file: string) => string): boolean {
  const dynamic = meta[DYNAMIC_META_KEY]
  if (!(dynamic instanceof Set) || !dynamic.has('meta')) return false
  try { return /definePageMeta\s*\([\s\S]*?[{,]\s*['"]?guard['"]?\s*:/.test(readFile(file)) }
  catch { return false }
}

/**
 * The globs of a Vue Router path: `/users/:id()` → `/users/*`, `/docs/:slug(.*)*` → `/docs/**`,
 * `/:lang?/about` → `/about` and `/*\/about`; a string says why there is none.
 *
 * @example
 * routeGlobs('/users/:id()/edit') // ['/users/*\/edit']
 */
export function routeGlobs(path: string): string[] | string {
  let globs = ['']
  const segments = path.split('/').filter(Boolean)
  for (const [index, segment] of segments.entries()) {
    const param = PARAM.exec(segment)
    const rest = param && (param[3] === '*' || param[3] === '+' || /[./]/.test(param[2] ?? ''))
    if (rest) {
      if (index !== segments.length - 1) return `the path ${path} has a repeated parameter before its end, which no route glob can express; write the rule in the config's routes.rules`
      globs = globs.map(glob => `${glob}/**`)
    }
    else if (param?.[3] === '?') globs = [...globs, ...globs.map(glob => `${glob}/*`)]
    else globs = globs.map(glob => `${glob}/${segment.includes(':') ? '*' : segment}`)
  }
  const checked = globs.map(glob => checkPattern(glob || '/'))
  const refused = checked.find(check => !check.ok)
  if (refused && !refused.ok) return `the path ${path} gives no valid route glob (${refused.message})`
  return checked.map(check => (check.ok ? check.pattern : ''))
}

/** A waiver must not cover a page that Vue Router gives another `guard`, nor a server route. */
function waiverOvercoverage(flat: FlatPage[], globsOf: Map<FlatPage, string[]>, serverRoutes: string[], name: (file: string) => string): string[] {
  const problems: string[] = []
  for (const page of flat) {
    if (page.guard?.mfa !== false) continue
    const globs = globsOf.get(page)!
    const matcher = compileMatcher(globs.map(pattern => ({ pattern, data: pattern })))
    for (const other of flat) {
      if (other === page || sameGuard(other.guard, page.guard)) continue
      const covered = globsOf.get(other)!.flatMap(samplePaths).find(path => matcher.test(path))
      if (covered) problems.push(`${page.source}: the waiver (mfa: false) for ${globs.join(', ')} also covers ${covered} of ${name(other.file)}; give that page the same \`guard\`, or write the rules in the config's routes.rules`)
    }
    for (const route of serverRoutes) {
      const covered = routeGlobs(route.replace(/\/\*\*:\w+$/, '/:rest(.*)*'))
      const hit = typeof covered === 'string' ? undefined : covered.flatMap(samplePaths).find(path => matcher.test(path))
      if (hit) problems.push(`${page.source}: the waiver (mfa: false) for ${globs.join(', ')} also covers the server route ${route}; make the page's path more specific, or write the rules in the config's routes.rules`)
    }
  }
  return [...new Set(problems)]
}

/** Concrete paths a glob matches: each `*` a sample segment; a final `**` both none and one. */
function samplePaths(glob: string): string[] {
  const base = glob.replace(/\/\*(?=\/|$)/g, `/${SAMPLE}`)
  return base.endsWith('/**') ? [base.slice(0, -3) || '/', `${base.slice(0, -3)}/${SAMPLE}`] : [base]
}

function sameGuard(a: RouteRequirement | undefined, b: RouteRequirement | undefined): boolean {
  return stableJson(a) === stableJson(b)
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map(key => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`
  return JSON.stringify(value) ?? 'undefined'
}

function dedupe(rules: PageRule[]): PageRule[] {
  const seen = new Set<string>()
  return rules.filter((rule) => {
    const key = `${rule.pattern}\n${rule.page}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * The routes of Nitro's handlers that a page's waiver must not reach (the guard's own API and
 * Nuxt's internal routes are judged separately).
 *
 * @example
 * serverRoutesOf([{ route: '/api/secret' }, { route: '/api/_guard/session' }, { middleware: true }]) // ['/api/secret']
 */
export function serverRoutesOf(handlers: { route?: string; middleware?: boolean }[]): string[] {
  return [...new Set(handlers.flatMap(handler => (handler.route && !handler.middleware && !/^\/(?:api\/_guard|_nuxt|__nuxt)(?:\/|_|$)/.test(handler.route) ? [handler.route] : [])))]
}

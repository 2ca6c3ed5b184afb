/**
 * Compiled route matcher: one rou3 radix tree per list, built once per config
 * version; a lookup walks the tree (cost grows with path depth, not with the
 * number of patterns).
 *
 * rou3 0.8.1 `findAllRoutes` is looser than the glob syntax: an unnamed `*`
 * at the end is optional (`/users/*` matches `/users`) and a walk may pass
 * through `*` nodes beyond the path's end (`/a/*\/**` matches `/a`). Each hit
 * is therefore checked against its pattern's segment count: exactly N for a
 * pattern of N segments, at least N for N segments followed by `**`.
 */
import { addRoute, createRouter, findAllRoutes } from 'rou3'
import { checkPattern } from './pattern'

/**
 * Every entry whose pattern matches a path, in the order the entries were given.
 *
 * @example
 * const rules: CompiledMatcher<Rule> = compileMatcher(config.routes.rules.map(r => ({ pattern: r.pattern, data: r })))
 * rules.match('/admin/users') // every rule for /admin/users, in config order
 */
export interface CompiledMatcher<T> {
  /** Data of every matching entry (duplicates of a pattern included), in entry order. A fresh array. */
  match(path: string): T[]
  /** Whether any entry matches; cheaper than `match(path).length > 0`. */
  test(path: string): boolean
}

const FIND_OPTIONS = { params: false } as const

/**
 * What rou3 stores per pattern: the entry index, the number of segments
 * before a final `**` (-1 for an exact pattern), and whether `**` ends it.
 */
interface Slot { index: number; fixed: number; rest: boolean }

/** Whether a hit really matches a path of `count` segments (rou3 over-reports; see above). */
function fits(slot: Slot, count: number): boolean {
  return slot.fixed < 0 || (slot.rest ? count >= slot.fixed : count === slot.fixed)
}

/**
 * Compiles `{ pattern, data }` entries into a matcher. Patterns use Nitro glob
 * syntax (see `checkPattern`); paths given to `match` must be canonical
 * readings (lower case, normalised, as produced by `pathReadings`).
 * Throws when a pattern is invalid (callers validate first).
 *
 * @example
 * const m = compileMatcher([
 *   { pattern: '/admin/**', data: 'admin' },
 *   { pattern: '/api/*\/export', data: 'export' },
 * ])
 * m.match('/admin')          // ['admin']
 * m.match('/api/v1/export')  // ['export']
 * m.match('/api/export')     // []
 */
export function compileMatcher<T>(entries: { pattern: string; data: T }[]): CompiledMatcher<T> {
  const patterns: string[] = []
  const errors: string[] = []
  entries.forEach((entry, index) => {
    const check = checkPattern(entry.pattern)
    if (check.ok) patterns.push(check.pattern)
    else errors.push(`#${index}: ${check.message}`)
  })
  if (errors.length) throw new Error(`invalid route pattern(s):\n${errors.join('\n')}`)

  const data = entries.map(entry => entry.data)
  const wildcard = patterns.some(pattern => pattern.includes('*'))
  if (!wildcard) return staticMatcher(patterns, data)

  const router = createRouter<Slot>()
  patterns.forEach((pattern, index) => {
    const rest = pattern.endsWith('/**')
    const fixed = pattern === '/' ? 0 : countSlashes(pattern) - (rest ? 1 : 0)
    // rou3 stores `data || null`, so the data is an object, never a bare index 0.
    addRoute(router, '', pattern, { index, fixed: pattern.includes('*') ? fixed : -1, rest })
  })

  return {
    match(path) {
      const hits = findAllRoutes(router, '', path, FIND_OPTIONS)
      if (hits.length === 0) return []
      const count = pathSegments(path)
      // rou3 returns a fresh array per call: reuse it for the indices, then the data.
      const slots = hits as unknown as number[]
      let kept = 0
      for (let i = 0; i < hits.length; i++) {
        const slot = hits[i]!.data
        if (fits(slot, count)) slots[kept++] = slot.index
      }
      slots.length = kept
      if (kept > 1) slots.sort(ascending)
      const out = slots as unknown as T[]
      for (let i = 0; i < kept; i++) out[i] = data[slots[i]!]!
      return out
    },
    test(path) {
      const hits = findAllRoutes(router, '', path, FIND_OPTIONS)
      if (hits.length === 0) return false
      const count = pathSegments(path)
      for (let i = 0; i < hits.length; i++) if (fits(hits[i]!.data, count)) return true
      return false
    },
  }
}

/**
 * A set of route patterns (public, ignored, API lists) answering "does any match?".
 *
 * @example
 * const publicPaths = createPathSet(['/', '/sign-in', '/docs/**'])
 * publicPaths.has('/docs/intro') // true
 * publicPaths.has('/admin')      // false
 */
export function createPathSet(patterns: string[]): { has(path: string): boolean } {
  const matcher = compileMatcher(patterns.map(pattern => ({ pattern, data: true })))
  return { has: path => matcher.test(path) }
}

/** Only exact patterns: one Map lookup per path. */
function staticMatcher<T>(patterns: string[], data: T[]): CompiledMatcher<T> {
  const byPath = new Map<string, T[]>()
  patterns.forEach((pattern, index) => {
    const list = byPath.get(pattern)
    if (list) list.push(data[index]!)
    else byPath.set(pattern, [data[index]!])
  })
  return {
    match(path) {
      const list = byPath.get(trimTrailingSlash(path))
      return list === undefined ? [] : list.slice()
    },
    test: path => byPath.has(trimTrailingSlash(path)),
  }
}

/** rou3 ignores one trailing slash; the Map path does the same. */
function trimTrailingSlash(path: string): string {
  return path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f ? path.slice(0, -1) : path
}

/** Number of segments rou3 sees in `path` (its `splitPath` after dropping one trailing slash). */
function pathSegments(path: string): number {
  let end = path.length
  if (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--
  let count = 0
  for (let i = 0; i < end; i++) if (path.charCodeAt(i) === 0x2f) count++
  if (end > 0 && path.charCodeAt(end - 1) === 0x2f) count--
  return count
}

function countSlashes(path: string): number {
  let count = 0
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) count++
  return count
}

function ascending(a: number, b: number): number {
  return a - b
}

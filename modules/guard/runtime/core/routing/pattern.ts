/**
 * Route pattern validation. Patterns use Nitro's route-rule glob syntax:
 * exact paths (`/sign-in`), `*` for exactly one segment (`/api/*\/export`) and
 * `**` as the last segment for any rest, including none (`/admin/**`).
 * Anything else (path-to-regexp, regular expressions, encoded or
 * non-canonical paths) is refused with a message that suggests the glob.
 */

/**
 * Result of {@link checkPattern}: the normalised pattern or why it is refused.
 *
 * @example
 * const check: PatternCheck = checkPattern('/Admin/**') // { ok: true, pattern: '/admin/**' }
 */
export type PatternCheck = { ok: true; pattern: string } | { ok: false; message: string }

/**
 * Longest pattern accepted, in characters.
 *
 * @example
 * checkPattern('/' + 'a'.repeat(MAX_PATTERN_LENGTH)).ok // false
 */
export const MAX_PATTERN_LENGTH = 1024

const CONTROL = /[\u0000-\u001f\u007f]/
const WHITESPACE = /\s/
const CLERK_SUFFIX = /\/?\(\.[*+]\)$/
const PARAM_SEGMENT = /^:[A-Za-z_][\w-]*(\([^)]*\))?([?*+])?$/
const REGEX_SIGNS = /[\^$[\]+?|{}()]|\.[*+]/
const REST_GROUP = /\.[*+]/
const REGEX_REST = /\/?(\.\*|\(\.\*\))$/
const URL_PREFIX = /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/?/i
const SPLAT = /^\*[A-Za-z_]\w*$/
const QUERY = /^([^?]*)\?[^?]*[=&]/
const ALLOWED_CHARS = /^[A-Za-z0-9\-._~!&',=@*\u0080-\uffff]*$/
const DISALLOWED_CHAR = /[^A-Za-z0-9\-._~!&',=@*\u0080-\uffff]/

/**
 * Validates one route pattern and returns it normalised (lower case, no
 * trailing slash except `/`), or a message naming the problem and, when one
 * exists, the equivalent glob.
 *
 * @example
 * checkPattern('/Admin/**')       // { ok: true, pattern: '/admin/**' }
 * checkPattern('/users/:id')      // { ok: false, message: '"/users/:id" uses a path-to-regexp parameter (:id); use the glob "/users/*" instead' }
 * checkPattern('/dashboard(.*)')  // { ok: false, message: '... use the glob "/dashboard/**" ...' }
 */
export function checkPattern(input: string): PatternCheck {
  return check(input, true)
}

/**
 * Validates a list of patterns; empty when all are valid.
 *
 * @example
 * checkPatterns(['/admin/**', '/users/:id'])
 * // [{ index: 1, message: '"/users/:id" uses a path-to-regexp parameter ...' }]
 */
export function checkPatterns(list: string[]): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = []
  list.forEach((input, index) => {
    const result = checkPattern(input)
    if (!result.ok) problems.push({ index, message: result.message })
  })
  return problems
}

function check(input: string, suggest: boolean): PatternCheck {
  if (typeof input !== 'string') return { ok: false, message: 'a route pattern must be a string such as "/admin/**"' }
  const q = JSON.stringify(input)
  /** A refusal; `candidate` is offered only if it is itself a valid pattern. */
  const refuse = (problem: string, candidate?: string, exact = true): PatternCheck => {
    const glob = suggest && candidate !== undefined
      ? check(candidate.startsWith('/') ? candidate : `/${candidate}`, false) : undefined
    const hint = !glob?.ok ? '' : exact ? `; use the glob "${glob.pattern}" instead`
      : `; the closest glob is "${glob.pattern}" (it matches more)`
    return { ok: false, message: `${q} ${problem}${hint}` }
  }
  if (input.length === 0) return { ok: false, message: 'a route pattern must start with /, such as "/admin/**"' }
  if (input.length > MAX_PATTERN_LENGTH) return refuse(`is longer than ${MAX_PATTERN_LENGTH} characters`)
  if (WHITESPACE.test(input)) return refuse('contains whitespace', input.trim())
  if (CONTROL.test(input)) return refuse('contains a control character')

  const url = URL_PREFIX.exec(input)
  if (url) return refuse('is a URL; a route pattern is only the path', `/${input.slice(url[0].length)}`)
  const segments = input.split('/')
  const params = segments.filter(segment => segment.includes(':'))
  if (params.length) {
    const problem = `uses a path-to-regexp parameter (${params.join(', ')})`
    const optional = optionalParamGlobs(segments)
    if (optional) return { ok: false, message: `${q} ${problem}; use two globs, "${optional[0]}" and "${optional[1]}", instead` }
    const glob = paramsToGlob(segments)
    return refuse(problem, glob?.pattern, glob?.exact)
  }
  if (CLERK_SUFFIX.test(input)) {
    const prefix = input.replace(CLERK_SUFFIX, '')
    return refuse('is a regular expression (Clerk style); regular expressions are not supported', `${prefix}/**`)
  }
  const query = QUERY.exec(input)
  if (query) return refuse('contains a query string; only the path is matched', query[1])
  if (REGEX_SIGNS.test(input)) {
    const candidate = suggest ? regexToGlob(input) : undefined
    const glob = candidate === undefined ? undefined : check(candidate, false)
    const hint = glob?.ok ? glob.pattern : '/admin/**'
    return { ok: false, message: `${q}: regular expressions are not supported; use a glob such as "${hint}"` }
  }
  if (input.charCodeAt(0) !== 0x2f) return refuse('must start with /', `/${input}`)
  if (input.includes('%')) {
    return refuse('contains percent-encoding; paths are decoded before matching, so write the decoded path', safeDecode(input))
  }
  if (input.includes('#')) return refuse('contains a # fragment, which browsers never send to the server', input.slice(0, input.indexOf('#')))
  if (input.includes('\\')) return refuse('contains a backslash; use / to separate segments', input.replace(/\\/g, '/'))
  if (input.includes(';')) return refuse('contains ;parameters, which are stripped before matching', segments.map(s => s.split(';')[0]).join('/'))
  if (input.includes('//')) return refuse('contains an empty segment (//)', input.replace(/\/{2,}/g, '/'))

  const body = input.length > 1 && input.endsWith('/') ? segments.slice(1, -1) : segments.slice(1)
  if (body.some(s => s === '.' || s === '..')) return refuse('contains a . or .. segment; paths are resolved before matching', resolveDots(body))
  for (let i = 0; i < body.length; i++) {
    const segment = body[i]!
    if (segment === '**' && i < body.length - 1) {
      return refuse('uses ** before the last segment; ** may only end a pattern (a suffix cannot be expressed as a glob, list the paths instead)')
    }
    if (segment.includes('*') && segment !== '*' && segment !== '**') {
      const glob = mixedToGlob(body, i)
      return refuse(`mixes * with other text in the segment "${segment}"; * stands for one whole segment and ** for the rest`,
        glob.pattern, glob.exact)
    }
    if (!ALLOWED_CHARS.test(segment)) {
      return refuse(`contains ${JSON.stringify(DISALLOWED_CHAR.exec(segment)![0])}, which is not allowed in a route pattern`)
    }
  }
  const pattern = '/' + body.join('/').toLowerCase()
  return { ok: true, pattern }
}

/** `:id` → `*`; `:rest*`, `:rest+`, `:p(.*)` → `**`; `user-:id` → `*` (closest); `:id?` → none. */
function paramsToGlob(segments: string[]): { pattern: string; exact: boolean } | undefined {
  let exact = true
  const out: string[] = []
  for (const segment of segments) {
    if (!segment.includes(':')) { out.push(segment); continue }
    const m = PARAM_SEGMENT.exec(segment)
    if (!m) { // such as `user-:id` or `:id.json`
      exact = false
      out.push('*')
      continue
    }
    if (m[2] === '?') return undefined
    if (m[2] === '*' || m[2] === '+' || (m[1] && REST_GROUP.test(m[1]))) out.push('**')
    else {
      if (m[1]) exact = false // `:id(\\d+)`: `*` matches more than the group
      out.push('*')
    }
  }
  return { pattern: out.join('/'), exact }
}

/** `/users/:id?` → [`/users`, `/users/*`]; undefined unless exactly one param, optional and last. */
function optionalParamGlobs(segments: string[]): [string, string] | undefined {
  const last = segments[segments.length - 1]!
  const m = PARAM_SEGMENT.exec(last)
  if (!m || m[1] || m[2] !== '?' || segments.slice(0, -1).some(s => s.includes(':'))) return undefined
  const base = segments.slice(0, -1).join('/') || '/'
  const withOne = `${base === '/' ? '' : base}/*`
  return check(base, false).ok && check(withOne, false).ok ? [base, withOne] : undefined
}

/** `^/admin` → `/admin/**`, `/admin$` → `/admin`, `/admin/.*` → `/admin/**`; otherwise undefined. */
function regexToGlob(input: string): string | undefined {
  let s = input
  const anchoredStart = s.startsWith('^')
  if (anchoredStart) s = s.slice(1)
  const anchoredEnd = s.endsWith('$')
  if (anchoredEnd) s = s.slice(0, -1)
  if (REGEX_REST.test(s)) return `${s.replace(REGEX_REST, '')}/**`
  if (anchoredEnd) return s
  if (anchoredStart) return `${s.replace(/\/$/, '')}/**`
  return undefined
}

/** `/api/v1*` → `/api/v1/**`; any other mixed segment → `*` (closest), or `**` when it ends the pattern with `**`. */
function mixedToGlob(body: string[], i: number): { pattern: string; exact: boolean } {
  const segment = body[i]!
  const last = i === body.length - 1
  const prefix = segment.replace(/\*+$/, '')
  let replacement = '*'
  let exact = false
  if (last && prefix !== segment && !prefix.includes('*')) {
    replacement = prefix ? `${prefix}/**` : '**'
    exact = true
  } else if (last && (segment.includes('**') || SPLAT.test(segment))) replacement = '**' // path-to-regexp v8 `*path`
  return { pattern: '/' + [...body.slice(0, i), replacement, ...body.slice(i + 1)].join('/'), exact }
}

function resolveDots(body: string[]): string {
  const out: string[] = []
  for (const s of body) {
    if (s === '..') out.pop()
    else if (s !== '.') out.push(s)
  }
  return '/' + out.join('/')
}

function safeDecode(input: string): string | undefined {
  try {
    return decodeURIComponent(input)
  } catch {
    return undefined
  }
}

/**
 * Path canonicalisation: every plausible reading of a request path.
 *
 * A proxy in front of the guard, Nitro's router and a handler behind it may
 * each read the same bytes differently (decode or not, resolve `..` or not,
 * strip `;params` or not, case-fold or not). The guard judges every reading
 * and keeps the most restrictive verdict, so an attacker cannot pick a
 * spelling that the guard files as public while the router serves it as
 * protected.
 */

/**
 * Result of {@link pathReadings}; `ok: false` means the HTTP layer answers 400.
 *
 * @example
 * const result: PathReadings = pathReadings(event.path)
 * if (!result.ok) throw createError({ statusCode: 400, message: result.reason })
 */
export type PathReadings =
  | { ok: true; readings: string[] }
  | { ok: false; reason: string }

/** How many times a path is percent-decoded at most (`%25252F` → `%252F` → `%2F` → `/`). */
const MAX_DECODES = 3

const CONTROL_CHAR = /[\u0000-\u001f\u007f]/
const BACKSLASHES = /\\/g
const SLASH_RUNS = /\/{2,}/g

const MALFORMED: PathReadings = Object.freeze({ ok: false, reason: 'malformed percent-encoding' })
const CONTROL: PathReadings = Object.freeze({ ok: false, reason: 'control character in path' })

/**
 * All plausible readings of a request path, deduplicated, each lower-cased,
 * starting with `/`, without `//` runs and without a trailing slash.
 *
 * Readings: for the raw path and each percent-decoding of it (up to 3), the
 * fully normalised form (`\` → `/`, `;params` stripped, `.`/`..` resolved) and
 * a light form (only case, `//` and trailing slash). A decoded `?` or `#` also
 * yields the reading cut there. Malformed percent-encoding in the raw path or a
 * control character in any decoding is refused.
 *
 * @example
 * pathReadings('/public/..%2Fadmin')
 * // { ok: true, readings: ['/public/..%2fadmin', '/admin', '/public/../admin'] }
 * pathReadings('/admin')  // { ok: true, readings: ['/admin'] }
 * pathReadings('/%zz')    // { ok: false, reason: 'malformed percent-encoding' }
 */
export function pathReadings(rawPath: string): PathReadings {
  const end = pathEnd(rawPath)
  if (isAlreadyCanonical(rawPath, end)) {
    return { ok: true, readings: [end === rawPath.length ? rawPath : rawPath.slice(0, end)] }
  }
  const levels = decodeLevels(end === rawPath.length ? rawPath : rawPath.slice(0, end))
  if (!Array.isArray(levels)) return levels
  const readings: string[] = []
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!
    addUnique(readings, fullForm(level))
    addUnique(readings, lightForm(level))
    if (i > 0) {
      // A decoded `?`/`#` is path data to us, but a component that decodes and
      // re-parses would end the path there.
      const cut = pathEnd(level)
      if (cut < level.length) {
        addUnique(readings, fullForm(level.slice(0, cut)))
        addUnique(readings, lightForm(level.slice(0, cut)))
      }
    }
  }
  return { ok: true, readings }
}

/**
 * The single most normalised reading of the once-decoded path (what Nitro's
 * router sees), or `null` when {@link pathReadings} would refuse the path.
 * Lower-cased and decoded: encode it again before putting it into a URL.
 *
 * @example
 * canonicalPath('/Public/..%2FAdmin/?x=1') // '/admin'
 * canonicalPath('/a%00')                  // null
 */
export function canonicalPath(rawPath: string): string | null {
  const levels = decodeLevels(rawPath.slice(0, pathEnd(rawPath)))
  if (!Array.isArray(levels)) return null
  return fullForm(levels[1] ?? levels[0]!)
}

/** Index of the first `?` or `#`, or the length when there is none. */
function pathEnd(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c === 0x3f || c === 0x23) return i
  }
  return path.length
}

/**
 * Fast path: true when `path[0, end)` is its own only reading — starts with
 * `/`, printable ASCII only, no `%` `\` `;` or upper case, no `//`, no segment
 * starting with `.`, no trailing slash (except the root).
 */
function isAlreadyCanonical(path: string, end: number): boolean {
  if (end === 0 || path.charCodeAt(0) !== 0x2f) return false
  let previous = 0x2f
  for (let i = 1; i < end; i++) {
    const c = path.charCodeAt(i)
    if (c <= 0x20 || c >= 0x7f) return false
    if (c === 0x25 || c === 0x5c || c === 0x3b) return false // % \ ;
    if (c >= 0x41 && c <= 0x5a) return false // A-Z
    if (previous === 0x2f && (c === 0x2f || c === 0x2e)) return false // // or /.
    previous = c
  }
  return end === 1 || previous !== 0x2f
}

/**
 * The raw path followed by each successive percent-decoding that changes it.
 * Malformed escapes in the raw path refuse it; deeper ones end the decoding.
 */
function decodeLevels(path: string): string[] | PathReadings {
  if (CONTROL_CHAR.test(path)) return CONTROL
  const levels = [path]
  let current = path
  for (let i = 0; i < MAX_DECODES && current.includes('%'); i++) {
    let next: string
    try {
      next = decodeURIComponent(current)
    } catch {
      if (i === 0) return MALFORMED
      break
    }
    if (next === current) break
    if (CONTROL_CHAR.test(next)) return CONTROL
    levels.push(next)
    current = next
  }
  return levels
}

/** `\` → `/`, `;params` stripped per segment, `//` collapsed, dots resolved, lower case. */
function fullForm(path: string): string {
  const segments = path.replace(BACKSLASHES, '/').toLowerCase().split('/')
  const out: string[] = []
  for (const segment of segments) {
    const semicolon = segment.indexOf(';')
    const name = semicolon === -1 ? segment : segment.slice(0, semicolon)
    if (name === '' || name === '.') continue
    if (name === '..') out.pop() // never above the root
    else out.push(name)
  }
  return '/' + out.join('/')
}

/** Lower case, leading `/`, `//` collapsed, no trailing slash; dots left alone. */
function lightForm(path: string): string {
  let s = path.toLowerCase()
  if (s.charCodeAt(0) !== 0x2f) s = '/' + s
  s = s.replace(SLASH_RUNS, '/')
  return s.length > 1 && s.charCodeAt(s.length - 1) === 0x2f ? s.slice(0, -1) : s
}

function addUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value)
}

/**
 * The field catalogue for the claims template: which `{{ user.* }}` and
 * `{{ org.* }}` shortcodes exist, what type each yields, and how one resolves
 * against a user (and the session's active organization).
 *
 * Plain TypeScript: no h3, nuxt or node imports.
 */

/**
 * The user record a claims template can read.
 *
 * @example
 * const user: ClaimsUser = {
 *   id: 'usr_1', email: 'a@b.c', email_verified: true, created_at: 1700000000,
 *   roles: ['admin'], permissions: [], two_factor_enabled: false, public_metadata: {},
 * }
 */
export interface ClaimsUser {
  id: string
  email: string
  email_verified: boolean
  /** Unix seconds. */
  created_at: number
  roles: string[]
  permissions: string[]
  two_factor_enabled: boolean
  public_metadata: Record<string, unknown>
  /** The session's active organization, with the user's role in it; absent or null = none (every `org.*` shortcode renders null). */
  org?: ClaimsOrganization | null
}

/**
 * The active organization a claims template can read (`{{org.id}}`, `{{org.slug}}`,
 * `{{org.role}}`, `{{org.public_metadata.<key>}}`).
 *
 * @example
 * const org: ClaimsOrganization = { id: 'org_1', slug: 'acme', role: 'org:admin', public_metadata: { plan: 'pro' } }
 */
export interface ClaimsOrganization {
  id: string
  slug: string
  /** The user's role in it, such as `org:admin`. */
  role: string
  public_metadata: Record<string, unknown>
}

/**
 * One entry of the shortcode catalogue, as the editor shows it.
 *
 * @example
 * const info: ShortcodeInfo = { code: 'user.email', type: 'string', description: 'Primary email address' }
 */
export interface ShortcodeInfo {
  code: string
  type: 'string' | 'boolean' | 'number' | 'string[]' | 'object'
  description: string
}

interface Field extends ShortcodeInfo {
  get: (user: ClaimsUser) => unknown
}

const FIELDS: Field[] = [
  { code: 'user.id', type: 'string', description: 'User id', get: u => u.id },
  { code: 'user.email', type: 'string', description: 'Primary email address', get: u => u.email },
  { code: 'user.email_verified', type: 'boolean', description: 'Whether the email is verified', get: u => u.email_verified },
  { code: 'user.created_at', type: 'number', description: 'Sign-up time (unix seconds)', get: u => u.created_at },
  { code: 'user.roles', type: 'string[]', description: 'Role names', get: u => u.roles },
  { code: 'user.permissions', type: 'string[]', description: 'Permission names', get: u => u.permissions },
  { code: 'user.two_factor_enabled', type: 'boolean', description: 'Whether a second factor is enrolled', get: u => u.two_factor_enabled },
  {
    code: 'user.public_metadata',
    type: 'object',
    description: 'Public metadata; read nested values with user.public_metadata.<key>.<key> (missing → null)',
    get: u => u.public_metadata,
  },
  { code: 'org.id', type: 'string', description: 'Active organization id (null without one)', get: u => u.org?.id ?? null },
  { code: 'org.slug', type: 'string', description: 'Active organization slug (null without one)', get: u => u.org?.slug ?? null },
  { code: 'org.role', type: 'string', description: 'The user\'s role in the active organization, such as org:admin (null without one)', get: u => u.org?.role ?? null },
  {
    code: 'org.public_metadata',
    type: 'object',
    description: 'Active organization\'s public metadata; read nested values with org.public_metadata.<key>.<key> (missing or no organization → null)',
    get: u => u.org?.public_metadata ?? null,
  },
]

const FIELD_BY_CODE = new Map(FIELDS.map(f => [f.code, f]))

/**
 * The shortcodes the editor lists (the fixed catalogue; nested
 * `user.public_metadata.<key>` paths are also accepted).
 *
 * @example
 * SHORTCODES.map(s => s.code) // ['user.id', 'user.email', ..., 'user.public_metadata']
 */
export const SHORTCODES: ShortcodeInfo[] = FIELDS.map(({ code, type, description }) => ({ code, type, description }))

/**
 * Object keys that are never read or written, anywhere, to rule out prototype pollution.
 *
 * @example
 * FORBIDDEN_KEYS.includes('__proto__') // true
 */
export const FORBIDDEN_KEYS: readonly string[] = Object.freeze(['__proto__', 'constructor', 'prototype'])

/**
 * True for a key in {@link FORBIDDEN_KEYS}.
 *
 * @example
 * isForbiddenKey('constructor') // true
 * isForbiddenKey('org') // false
 */
export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.includes(key)
}

/**
 * True for a plain object (`{}` literal, `JSON.parse` result or null-prototype
 * object); false for arrays, null, class instances and objects whose
 * prototype was swapped.
 *
 * @example
 * isPlainObject({ a: 1 }) // true
 * isPlainObject([]) // false
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const METADATA_PATH = /^(user|org)\.public_metadata((?:\.[A-Za-z0-9_-]+)+)$/
const MAX_CLONE_DEPTH = 32

/**
 * Syntactic check: a code from {@link SHORTCODES}, or `user.public_metadata.`
 * (or `org.public_metadata.`) followed by dot-separated `[A-Za-z0-9_-]+`
 * segments, none of them a forbidden key.
 *
 * @example
 * isKnownShortcode('user.email') // true
 * isKnownShortcode('user.public_metadata.org.name') // true
 * isKnownShortcode('user.public_metadata.__proto__') // false
 * isKnownShortcode('user.password') // false
 */
export function isKnownShortcode(code: string): boolean {
  return FIELD_BY_CODE.has(code) || metadataSegments(code) !== undefined
}

/**
 * Resolves a shortcode (without braces) against a user. The value is a fresh
 * JSON-safe copy, so callers may embed it without sharing references with
 * the user record. A missing metadata key resolves to `null`, and so does
 * every `org.*` code when the session has no active organization.
 *
 * @example
 * resolveShortcode('user.two_factor_enabled', user) // { known: true, value: false }
 * resolveShortcode('user.public_metadata.org.name', user) // { known: true, value: 'Acme' } or value null
 * resolveShortcode('user.password', user) // { known: false }
 */
export function resolveShortcode(code: string, user: ClaimsUser): { known: true; value: unknown } | { known: false } {
  const field = FIELD_BY_CODE.get(code)
  if (field) return { known: true, value: toJsonValue(field.get(user), 0) }
  const segments = metadataSegments(code)
  if (!segments) return { known: false }
  let current: unknown = code.startsWith('org.') ? user.org?.public_metadata ?? null : user.public_metadata
  for (const segment of segments) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) return { known: true, value: null }
    current = current[segment]
  }
  return { known: true, value: toJsonValue(current, 0) }
}

/** The path segments after `user.public_metadata.` (or `org.public_metadata.`), or undefined if the code is not such a path. */
function metadataSegments(code: string): string[] | undefined {
  const match = METADATA_PATH.exec(code)
  if (!match) return undefined
  const segments = match[2]!.slice(1).split('.')
  return segments.some(isForbiddenKey) ? undefined : segments
}

/**
 * A deep copy made of JSON values only: non-finite numbers, non-plain objects
 * and anything deeper than MAX_CLONE_DEPTH become null; forbidden keys and
 * undefined members are dropped.
 */
function toJsonValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (depth >= MAX_CLONE_DEPTH) return null
  if (Array.isArray(value)) return value.map(item => (item === undefined ? null : toJsonValue(item, depth + 1)))
  if (!isPlainObject(value)) return null
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (isForbiddenKey(key) || value[key] === undefined) continue
    out[key] = toJsonValue(value[key], depth + 1)
  }
  return out
}

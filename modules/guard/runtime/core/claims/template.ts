/**
 * Claims template: validation (for the editor and config saves) and rendering
 * (when a session token is minted).
 *
 * A string that is exactly one shortcode keeps the value's type
 * (`"{{user.two_factor_enabled}}"` → `false`); shortcodes inside longer text
 * interpolate as text. Plain TypeScript: no h3, nuxt or node imports.
 */
import {
  type ClaimsUser,
  SHORTCODES,
  isForbiddenKey,
  isKnownShortcode,
  isPlainObject,
  resolveShortcode,
} from './shortcodes'

/**
 * Top-level claim names nuxt-guard sets itself; a template cannot set them.
 *
 * @example
 * RESERVED_CLAIMS.includes('exp') // true
 */
export const RESERVED_CLAIMS: readonly string[] = Object.freeze([
  'sub', 'sid', 'iss', 'aud', 'exp', 'iat', 'nbf', 'azp', 'mfa', 'fva', 'roles', 'cep', 'email_verified',
  'org_id', 'org_slug', 'org_role', 'org_permissions',
])

const ORG_CLAIM_REASON = (copy: string) => `nuxt-guard sets it from the session's active organization (Clerk's session-token claim), and org rules and has() read it. Remove this key (or use another name, such as "${copy}", for a copy)`

/** Why each reserved claim that is not a JWT registered claim cannot be set by the template. */
const RESERVED_BECAUSE: Readonly<Record<string, string>> = Object.freeze({
  roles: 'nuxt-guard sets it from the user\'s roles',
  email_verified: 'nuxt-guard sets it: the session token already carries it (OIDC Core §5.1), from the user\'s verified address, and the emailVerified checks read it. Remove this key (or use another name, such as "emailVerified", for a copy of {{user.email_verified}})',
  org_id: ORG_CLAIM_REASON('orgId'),
  org_slug: ORG_CLAIM_REASON('orgSlug'),
  org_role: ORG_CLAIM_REASON('orgRole'),
  org_permissions: ORG_CLAIM_REASON('orgPermissions'),
})

/**
 * Limit on the UTF-8 size of `JSON.stringify(renderedCustomClaims)`.
 *
 * @example
 * claimsByteSize(rendered) <= CLAIMS_SIZE_LIMIT_BYTES
 */
export const CLAIMS_SIZE_LIMIT_BYTES = 1200

/** Deepest allowed nesting of objects/arrays, the template root counting as level 1. */
const MAX_DEPTH = 5
/** Most object keys allowed across the whole template. */
const MAX_KEYS = 50

/**
 * One problem found in a template; `path` is a dot path such as
 * `claims.template.org.name`.
 *
 * @example
 * const issue: TemplateIssue = { path: 'claims.template.exp', message: '`exp` is reserved: nuxt-guard sets it' }
 */
export interface TemplateIssue {
  path: string
  message: string
}

/** `{{ code }}`; the code may not contain braces. Global: used only via matchAll/replace, which reset lastIndex. */
const SHORTCODE = /\{\{\s*([^{}]*?)\s*\}\}/g

/** A user with long values and no metadata, for the size check. */
const SAMPLE_USER: ClaimsUser = {
  id: 'usr_' + '0'.repeat(32),
  email: 'x'.repeat(64) + '@' + 'example-subdomain.'.repeat(3) + 'example.com',
  email_verified: true,
  created_at: 4_102_444_800,
  roles: ['admin', 'billing-manager', 'support-agent', 'developer', 'auditor'],
  permissions: Array.from({ length: 10 }, (_, i) => `org:resource-${i}:manage`),
  two_factor_enabled: true,
  public_metadata: {},
  org: { id: 'org_' + '0'.repeat(32), slug: 'o'.repeat(64), role: 'org:' + 'r'.repeat(64), public_metadata: {} },
}

const SHORTCODE_LIST = SHORTCODES.map(s => s.code).join(', ') + ', user.public_metadata.<key>, org.public_metadata.<key>'

/**
 * Validates a claims template; returns an empty array when it is fine.
 * Checks shape, keys, shortcodes, depth, key count, then (if the rest is
 * fine) the rendered size for a worst-plausible user.
 *
 * @example
 * checkClaimsTemplate({ isMfa: '{{user.two_factor_enabled}}' }) // []
 * checkClaimsTemplate({ exp: 1 }) // [{ path: 'claims.template.exp', message: '`exp` is reserved: nuxt-guard sets it' }]
 */
export function checkClaimsTemplate(template: unknown, basePath = 'claims.template'): TemplateIssue[] {
  if (!isPlainObject(template)) {
    return [{ path: basePath, message: 'the claims template must be a JSON object' }]
  }
  const issues: TemplateIssue[] = []
  const keyCount = { n: 0 }
  for (const key of Object.keys(template)) {
    if (RESERVED_CLAIMS.includes(key)) {
      const why = RESERVED_BECAUSE[key] ?? 'nuxt-guard sets it'
      issues.push({ path: `${basePath}.${key}`, message: `\`${key}\` is reserved: ${why}` })
    }
  }
  checkValue(template, basePath, 1, issues, keyCount)
  if (keyCount.n > MAX_KEYS) {
    issues.push({ path: basePath, message: `too many keys: ${keyCount.n} (at most ${MAX_KEYS})` })
  }
  if (issues.length === 0) {
    const size = claimsByteSize(renderClaims(template, SAMPLE_USER))
    if (size > CLAIMS_SIZE_LIMIT_BYTES) {
      issues.push({
        path: basePath,
        message: `rendered claims can reach ${size} bytes, over the ${CLAIMS_SIZE_LIMIT_BYTES}-byte limit`,
      })
    }
  }
  return issues
}

function checkValue(value: unknown, path: string, depth: number, issues: TemplateIssue[], keys: { n: number }): void {
  if (typeof value === 'string') return checkString(value, path, issues)
  if (value === null || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path, message: 'numbers must be finite' })
    return
  }
  const isArray = Array.isArray(value)
  if (!isArray && !isPlainObject(value)) {
    issues.push({ path, message: 'not a JSON value' })
    return
  }
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `nested too deeply (at most ${MAX_DEPTH} levels)` })
    return
  }
  if (isArray) {
    value.forEach((item, i) => checkValue(item, `${path}.${i}`, depth + 1, issues, keys))
    return
  }
  for (const key of Object.keys(value)) {
    keys.n++
    const keyPath = `${path}.${key}`
    if (key === '') issues.push({ path: keyPath, message: 'keys must not be empty' })
    else if (isForbiddenKey(key)) issues.push({ path: keyPath, message: `\`${key}\` is not allowed as a key` })
    else checkValue(value[key], keyPath, depth + 1, issues, keys)
  }
}

function checkString(text: string, path: string, issues: TemplateIssue[]): void {
  for (const match of text.matchAll(SHORTCODE)) {
    const code = match[1]!.trim()
    if (!isKnownShortcode(code)) {
      issues.push({ path, message: `unknown shortcode \`{{ ${code} }}\`; valid: ${SHORTCODE_LIST}` })
    }
  }
  const rest = text.replace(SHORTCODE, '')
  if (rest.includes('{{')) issues.push({ path, message: 'unclosed shortcode: `{{` without a matching `}}`' })
  else if (rest.includes('}}')) issues.push({ path, message: 'unbalanced braces: `}}` without a matching `{{`' })
}

/**
 * Renders a (checked) template for a user. Pure and deterministic. Unknown
 * shortcodes render as `null` (lone) or `""` (in text); forbidden keys and
 * top-level reserved claims are skipped; values from the user never become keys.
 *
 * @example
 * renderClaims({ isMfa: '{{user.two_factor_enabled}}', who: '{{user.email}} ({{user.id}})' }, user)
 * // { isMfa: false, who: 'a@b.c (usr_1)' }
 */
export function renderClaims(template: Record<string, unknown>, user: ClaimsUser): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(template)) {
    if (isForbiddenKey(key) || RESERVED_CLAIMS.includes(key)) continue
    out[key] = renderValue(template[key], user)
  }
  return out
}

function renderValue(value: unknown, user: ClaimsUser): unknown {
  if (typeof value === 'string') return renderString(value, user)
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (Array.isArray(value)) return value.map(item => renderValue(item, user))
  if (!isPlainObject(value)) return null
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (isForbiddenKey(key)) continue
    out[key] = renderValue(value[key], user)
  }
  return out
}

function renderString(text: string, user: ClaimsUser): unknown {
  const matches = [...text.matchAll(SHORTCODE)]
  if (matches.length === 1 && matches[0]![0] === text) {
    const resolved = resolveShortcode(matches[0]![1]!.trim(), user)
    return resolved.known ? resolved.value : null
  }
  if (matches.length === 0) return text
  return text.replace(SHORTCODE, (_whole, code: string) => {
    const resolved = resolveShortcode(code.trim(), user)
    return resolved.known ? asText(resolved.value) : ''
  })
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

const encoder = new TextEncoder()

/**
 * UTF-8 byte size of `JSON.stringify(claims)`.
 *
 * @example
 * claimsByteSize({ a: 'é' }) // 10  ('{"a":"é"}' is 9 characters, é takes 2 bytes)
 */
export function claimsByteSize(claims: Record<string, unknown>): number {
  return encoder.encode(JSON.stringify(claims)).length
}

import type { AdminMeta } from '../admin-meta'

const SHORTCODE = /\{\{\s*([^}]*?)\s*\}\}/g

/** Every string inside a template value, however deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(stringsIn)
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn)
  return []
}

/**
 * What the editor can tell at once, before the server is asked: reserved
 * claim names and shortcodes that do not exist (nested public metadata
 * reads are allowed).
 *
 * @example
 * templateProblems({ sub: 'x', plan: '{{user.plan}}' }, meta)
 * // → ['"sub" is a reserved claim …', 'Unknown shortcode {{user.plan}} …']
 */
export function templateProblems(template: Record<string, unknown>, meta: Pick<AdminMeta, 'shortcodes' | 'reservedClaims'>): string[] {
  const problems: string[] = []
  for (const key of Object.keys(template)) {
    if (meta.reservedClaims.includes(key)) problems.push(`"${key}" is a reserved claim that the guard sets itself; use another name.`)
  }
  const known = new Set(meta.shortcodes.map(entry => entry.code))
  for (const text of stringsIn(template)) {
    for (const match of text.matchAll(SHORTCODE)) {
      const code = match[1]!
      if (known.has(code) || code.startsWith('user.public_metadata.')) continue
      problems.push(`Unknown shortcode {{${code}}}: pick one from the list${code.startsWith('user.') ? ', or read metadata with user.public_metadata.<key>' : ''}.`)
    }
  }
  return [...new Set(problems)]
}

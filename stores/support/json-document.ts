/**
 * Plain-JSON helpers for the config document: deep copies, equality, the
 * list of changes between two documents, and the three-way merge that
 * re-applies one admin's edits on top of another admin's save.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

/** One difference between two documents, in the shape of `GET /admin/config/diff`. */
export interface JsonChange { path: string; kind: 'added' | 'removed' | 'changed'; before?: Json; after?: Json }

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A deep copy that shares nothing with its source (and drops `undefined`).
 *
 * @example
 * const draft = cloneJson(document)
 */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value))
}

/** JSON text with object keys sorted, so key order never counts as a change. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner) => isObject(inner)
    ? Object.fromEntries(Object.keys(inner).sort().map(key => [key, inner[key]]))
    : inner)
}

/**
 * Whether two documents hold the same data (key order ignored).
 *
 * @example
 * sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }) // → true
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/**
 * Every difference between `before` and `after`, objects compared key by key,
 * arrays and scalars compared as whole values.
 *
 * @example
 * listChanges({ mfa: { enforce: 'off' } }, { mfa: { enforce: 'all' } })
 * // → [{ path: 'mfa.enforce', kind: 'changed', before: 'off', after: 'all' }]
 */
export function listChanges(before: Json | undefined, after: Json | undefined, path = ''): JsonChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    return keys.flatMap(key => listChanges(before[key], after[key], path ? `${path}.${key}` : key))
  }
  if (before === undefined && after === undefined) return []
  if (before === undefined) return [{ path, kind: 'added', after }]
  if (after === undefined) return [{ path, kind: 'removed', before }]
  return sameJson(before, after) ? [] : [{ path, kind: 'changed', before, after }]
}

/** Writes `value` at a dotted object path (creating objects on the way); `undefined` deletes. */
function writeAt(target: JsonObject, path: string, value: Json | undefined): void {
  const keys = path.split('.')
  let node: JsonObject = target
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {}
    node = node[key] as JsonObject
  }
  const last = keys[keys.length - 1]!
  if (value === undefined) delete node[last]
  else node[last] = cloneJson(value)
}

/**
 * Re-applies the edits that turned `base` into `mine` on top of `theirs`
 * (a document someone else saved meanwhile). Where both changed the same
 * value, mine wins: the admin asked to put their changes on top.
 *
 * @example
 * mergeOnto({ a: 1, b: 1 }, { a: 2, b: 1 }, { a: 1, b: 3 }) // → { a: 2, b: 3 }
 */
export function mergeOnto<T extends JsonObject>(base: T, mine: T, theirs: T): T {
  const merged = cloneJson(theirs) as JsonObject
  for (const change of listChanges(base, mine)) {
    if (change.path === '') return cloneJson(mine)
    writeAt(merged, change.path, change.kind === 'removed' ? undefined : change.after)
  }
  return merged as T
}

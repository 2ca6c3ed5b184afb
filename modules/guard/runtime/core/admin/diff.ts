import { isPlainObject } from '../claims/shortcodes'

/** One difference between two JSON documents, at a dotted path (`routes.rules.0.pattern`). */
export interface DocumentChange {
  path: string
  kind: 'added' | 'removed' | 'changed'
  before?: unknown
  after?: unknown
}

/**
 * The differences between two JSON documents: objects compared key by key
 * (in the order of `before`, then keys only `after` has), arrays index by
 * index, anything else by value. A value whose type changed (object → array,
 * string → number) is one `changed` entry holding both whole values.
 *
 * @example
 * diffDocuments({ routes: { public: ['/'] } }, { routes: { public: ['/', '/docs'] } })
 * // [{ path: 'routes.public.1', kind: 'added', after: '/docs' }]
 */
export function diffDocuments(before: unknown, after: unknown): DocumentChange[] {
  const changes: DocumentChange[] = []
  walk(before, after, [], changes)
  return changes
}

function walk(before: unknown, after: unknown, path: string[], changes: DocumentChange[]): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length)
    for (let i = 0; i < length; i++) {
      if (i >= after.length) changes.push({ path: dotted([...path, String(i)]), kind: 'removed', before: before[i] })
      else if (i >= before.length) changes.push({ path: dotted([...path, String(i)]), kind: 'added', after: after[i] })
      else walk(before[i], after[i], [...path, String(i)], changes)
    }
    return
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key)) changes.push({ path: dotted([...path, key]), kind: 'removed', before: before[key] })
      else walk(before[key], after[key], [...path, key], changes)
    }
    for (const key of Object.keys(after)) {
      if (!Object.hasOwn(before, key)) changes.push({ path: dotted([...path, key]), kind: 'added', after: after[key] })
    }
    return
  }
  if (!sameValue(before, after)) changes.push({ path: dotted(path), kind: 'changed', before, after })
}

/** Primitives by value; mismatched containers are never equal here (walk compares matching ones). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)
}

const dotted = (path: string[]) => path.join('.') || '(document)'

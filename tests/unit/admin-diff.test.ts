import { describe, expect, it } from 'vitest'
import { diffDocuments } from '../../modules/guard/runtime/core/admin/diff'
import { defaultConfig } from '../../modules/guard/runtime/core/config/validate'

describe('diffDocuments', () => {
  it('finds nothing between equal documents, whatever their key order', () => {
    expect(diffDocuments(defaultConfig(), JSON.parse(JSON.stringify(defaultConfig())))).toEqual([])
    expect(diffDocuments({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([])
  })

  it('names a changed leaf by its dotted path with both values', () => {
    const before = defaultConfig()
    const after = { ...before, mfa: { ...before.mfa, enforce: 'all' as const } }
    expect(diffDocuments(before, after)).toEqual([{ path: 'mfa.enforce', kind: 'changed', before: 'off', after: 'all' }])
  })

  it('diffs arrays by index: an appended entry is added, a dropped tail entry removed', () => {
    expect(diffDocuments({ routes: { public: ['/'] } }, { routes: { public: ['/', '/docs'] } }))
      .toEqual([{ path: 'routes.public.1', kind: 'added', after: '/docs' }])
    expect(diffDocuments({ routes: { public: ['/', '/docs'] } }, { routes: { public: ['/'] } }))
      .toEqual([{ path: 'routes.public.1', kind: 'removed', before: '/docs' }])
  })

  it('goes into rules: a changed requirement is reported at the field that changed', () => {
    const rule = (roles: string[]) => ({ pattern: '/admin/**', require: { roles } })
    expect(diffDocuments({ rules: [rule(['admin'])] }, { rules: [rule(['admin', 'ops'])] }))
      .toEqual([{ path: 'rules.0.require.roles.1', kind: 'added', after: 'ops' }])
    expect(diffDocuments({ rules: [{ pattern: '/a', require: { mfa: true } }] }, { rules: [{ pattern: '/a', require: {} }] }))
      .toEqual([{ path: 'rules.0.require.mfa', kind: 'removed', before: true }])
  })

  it('reports added and removed keys, and a type change as one change with both whole values', () => {
    expect(diffDocuments({ claims: { template: { a: '{{user.id}}' } } }, { claims: { template: { b: 1 } } })).toEqual([
      { path: 'claims.template.a', kind: 'removed', before: '{{user.id}}' },
      { path: 'claims.template.b', kind: 'added', after: 1 },
    ])
    expect(diffDocuments({ x: { y: 1 } }, { x: [1] })).toEqual([{ path: 'x', kind: 'changed', before: { y: 1 }, after: [1] }])
    expect(diffDocuments({ x: null }, { x: 0 })).toEqual([{ path: 'x', kind: 'changed', before: null, after: 0 }])
    expect(diffDocuments('a', 'b')).toEqual([{ path: '(document)', kind: 'changed', before: 'a', after: 'b' }])
  })
})

import { describe, expect, it } from 'vitest'
import { listChanges, mergeOnto, sameJson } from '../../stores/support/json-document'
import { parseJsonText } from '../../stores/support/json-errors'
import { apiProblem } from '../../stores/support/api'
import { templateProblems } from '../../stores/support/template-problems'

describe('json documents', () => {
  it('lists added, removed and changed values by dotted path; arrays compare whole', () => {
    expect(listChanges({ a: 1, b: { c: [1] }, d: 1 }, { a: 2, b: { c: [1, 2] }, e: 1 })).toEqual([
      { path: 'a', kind: 'changed', before: 1, after: 2 },
      { path: 'b.c', kind: 'changed', before: [1], after: [1, 2] },
      { path: 'd', kind: 'removed', before: 1 },
      { path: 'e', kind: 'added', after: 1 },
    ])
  })

  it('merges my edits onto their document: theirs kept, mine on top, my deletions applied', () => {
    const base = { mfa: { enforce: 'off', ttl: 300 }, claims: { a: '1', b: '2' } }
    const mine = { mfa: { enforce: 'off', ttl: 600 }, claims: { a: '1' } }
    const theirs = { mfa: { enforce: 'all', ttl: 120 }, claims: { a: '1', b: '2', c: '3' } }
    expect(mergeOnto(base, mine, theirs)).toEqual({ mfa: { enforce: 'all', ttl: 600 }, claims: { a: '1', c: '3' } })
  })

  it('ignores key order', () => {
    expect(sameJson({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true)
  })
})

describe('JSON syntax errors', () => {
  it('points at the line and column where the text stops being JSON', () => {
    const result = parseJsonText('{\n  "a": 1,\n}')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatchObject({ line: 3, column: 1 })
  })

  it('points into the line of a missing comma', () => {
    const result = parseJsonText('{\n  "a": 1\n  "b": 2\n}')
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.line).toBe(3)
      expect(result.error.message).not.toMatch(/position/)
    }
  })

  it('parses valid JSON', () => {
    expect(parseJsonText('{"a": [1]}')).toEqual({ ok: true, value: { a: [1] } })
  })
})

describe('apiProblem', () => {
  it('reads a guard error body and falls back to a useful sentence', () => {
    expect(apiProblem(Object.assign(new Error('x'), { statusCode: 409, data: { error: 'stale_version', error_description: 'reload' } })))
      .toMatchObject({ status: 409, code: 'stale_version', description: 'reload' })
    expect(apiProblem(Object.assign(new Error('x'), { status: 502 })).description).toMatch(/502/)
  })
})

describe('template checks before the server answers', () => {
  const meta = { shortcodes: [{ code: 'user.email', description: '' }, { code: 'user.public_metadata', description: '' }], reservedClaims: ['sub', 'roles'] }

  it('flags reserved claim names and unknown shortcodes, nested ones included', () => {
    const problems = templateProblems({ sub: 'x', team: { name: '{{ user.team }}' }, plan: 'Plan {{user.public_metadata.plan}}' }, meta)
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/"sub" is a reserved claim/)
    expect(problems[1]).toMatch(/Unknown shortcode \{\{user\.team\}\}/)
  })

  it('accepts known shortcodes and public metadata reads', () => {
    expect(templateProblems({ email: '{{user.email}}', plan: '{{user.public_metadata.plan.tier}}' }, meta)).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import { safeRedirectPath } from '../../modules/guard/runtime/core/policy/redirect'

const ORIGIN = 'https://app.example'
const FALLBACK = '/dashboard'

/** safeRedirectPath, plus the property that matters: the browser stays on this origin. */
function redirect(candidate: unknown): string {
  const value = safeRedirectPath(candidate, FALLBACK)
  expect(new URL(value, ORIGIN).origin).toBe(ORIGIN)
  return value
}

describe('safeRedirectPath: off-origin attempts fall back', () => {
  const attacks: [string, string][] = [
    ['scheme-relative', '//evil.example'],
    ['scheme-relative with a path', '//evil.example/sign-in'],
    ['slash backslash', '/\\evil.example'],
    ['backslash slash', '\\/evil.example'],
    ['double backslash', '\\\\evil.example'],
    ['absolute https', 'https://evil.example'],
    ['absolute, upper-case scheme', 'HTTPS://evil.example'],
    ['absolute with a path', 'https://evil.example/dashboard'],
    ['scheme without slashes', 'https:evil.example'],
    ['encoded slashes without a leading /', '%2F%2Fevil.example'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['tab between slashes (browsers strip it)', '/\t/evil.example'],
    ['newline between slashes (browsers strip it)', '/\n/evil.example'],
    ['carriage return between slashes', '/\r/evil.example'],
    ['NUL byte', '/x\u0000'],
    ['leading space', ' /x'],
    ['relative path', 'dashboard'],
    ['dot segments that resolve to //host', '/x/../..//evil.example'],
    ['a dot segment before //host', '/.//evil.example'],
    ['empty string', ''],
  ]

  for (const [name, candidate] of attacks) {
    it(`${name}: ${JSON.stringify(candidate)}`, () => {
      expect(redirect(candidate)).toBe(FALLBACK)
    })
  }

  it('a 3 000-character path falls back', () => {
    expect(redirect('/' + 'a'.repeat(2_999))).toBe(FALLBACK)
  })

  it('non-strings fall back', () => {
    for (const candidate of [undefined, null, 42, ['/x'], { toString: () => '/x' }, true]) {
      expect(redirect(candidate)).toBe(FALLBACK)
    }
  })
})

describe('safeRedirectPath: same-origin paths are kept', () => {
  it('keeps the query and the hash', () => {
    expect(redirect('/billing?tab=2#invoices')).toBe('/billing?tab=2#invoices')
    expect(redirect('/search?q=a%20b&page=3')).toBe('/search?q=a%20b&page=3')
  })

  it('keeps the root and nested paths', () => {
    expect(redirect('/')).toBe('/')
    expect(redirect('/admin/users/42')).toBe('/admin/users/42')
  })

  it('/%2F%2Fevil.example stays an encoded path on this origin', () => {
    const value = redirect('/%2F%2Fevil.example')
    expect(value).toBe('/%2F%2Fevil.example')
    const resolved = new URL(value, ORIGIN)
    expect(resolved.host).toBe('app.example')
    expect(resolved.pathname).toBe('/%2F%2Fevil.example')
  })

  it('resolves dot segments that stay on this origin', () => {
    expect(redirect('/a/../b?x=1')).toBe('/b?x=1')
  })

  it('accepts 2 048 characters, the limit', () => {
    const longest = '/' + 'a'.repeat(2_047)
    expect(redirect(longest)).toBe(longest)
    expect(redirect(longest + 'a')).toBe(FALLBACK)
  })
})

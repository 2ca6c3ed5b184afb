import { describe, expect, it } from 'vitest'
import { MAX_PATTERN_LENGTH, checkPattern, checkPatterns } from '../../modules/guard/runtime/core/routing/pattern'

function refusal(input: string): string {
  const result = checkPattern(input)
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ${result.pattern}`)
  return result.message
}

/** The glob a message suggests, if any. */
function suggestion(message: string): string | undefined {
  return /(?:use the glob|closest glob is|use a glob such as) "([^"]+)"/.exec(message)?.[1]
}

describe('checkPattern: accepted globs', () => {
  const accepted: [string, string][] = [
    ['/', '/'],
    ['/**', '/**'],
    ['/*', '/*'],
    ['/sign-in', '/sign-in'],
    ['/admin/**', '/admin/**'],
    ['/api/*/export', '/api/*/export'],
    ['/api/*/*/**', '/api/*/*/**'],
    ['/favicon.ico', '/favicon.ico'],
    ['/_nuxt/**', '/_nuxt/**'],
    ['/Admin/Users', '/admin/users'],
    ['/admin/', '/admin'],
    ['/admin/**/', '/admin/**'],
    ['/~user/x_y-z.v1', '/~user/x_y-z.v1'],
    ['/café', '/café'],
    ['/@scope/pkg', '/@scope/pkg'],
  ]
  it.each(accepted)('%s → %s', (input, pattern) => {
    expect(checkPattern(input)).toEqual({ ok: true, pattern })
  })

  it('normalised patterns are fixed points', () => {
    for (const [, pattern] of accepted) expect(checkPattern(pattern)).toEqual({ ok: true, pattern })
  })
})

describe('checkPattern: refusals name the problem and suggest the glob', () => {
  const cases: [input: string, problem: RegExp, glob: string | undefined][] = [
    ['admin/**', /must start with \//, '/admin/**'],
    ['', /must start with \//, undefined],
    ['/users/:id', /path-to-regexp parameter \(:id\)/, '/users/*'],
    ['/users/:id/posts', /path-to-regexp/, '/users/*/posts'],
    ['/users/:id*', /path-to-regexp/, '/users/**'],
    ['/users/:id+', /path-to-regexp/, '/users/**'],
    ['/users/:path(.*)', /path-to-regexp/, '/users/**'],
    ['/users/:id(\\d+)', /path-to-regexp/, '/users/*'],
    ['/users/user-:id', /path-to-regexp/, '/users/*'],
    ['users/:id', /path-to-regexp/, '/users/*'],
    ['/dashboard(.*)', /regular expression/, '/dashboard/**'],
    ['/dashboard/(.*)', /regular expression/, '/dashboard/**'],
    ['/(.*)', /regular expression/, '/**'],
    ['^/admin', /regular expressions are not supported/, '/admin/**'],
    ['/admin$', /regular expressions are not supported/, '/admin'],
    ['^/admin/.*$', /regular expressions are not supported/, '/admin/**'],
    ['/admin/.*', /regular expressions are not supported/, '/admin/**'],
    ['.*', /regular expressions are not supported/, '/**'],
    ['/[a-z]+', /regular expressions are not supported/, '/admin/**'],
    ['/admin|/root', /regular expressions are not supported/, '/admin/**'],
    ['/a{1,2}', /regular expressions are not supported/, '/admin/**'],
    ['/c++', /regular expressions are not supported/, '/admin/**'],
    ['/admin?', /regular expressions are not supported/, '/admin/**'],
    ['/(admin)', /regular expressions are not supported/, '/admin/**'],
    ['/api/v1*', /mixes \* with other text/, '/api/v1/**'],
    ['/api/v1**', /mixes \* with other text/, '/api/v1/**'],
    ['/a/***', /mixes \* with other text/, '/a/**'],
    ['/*.js', /mixes \* with other text/, '/*'],
    ['/api/v*/users', /mixes \* with other text/, '/api/*/users'],
    ['/files/*path', /mixes \* with other text/, '/files/**'],
    ['/**/secret', /\*\* before the last segment/, undefined],
    ['/a/**/**', /\*\* before the last segment/, undefined],
    ['/a%2Fb', /percent-encoding/, '/a/b'],
    ['/caf%C3%A9', /percent-encoding/, '/café'],
    ['/a%zz', /percent-encoding/, undefined],
    ['/admin#section', /fragment/, '/admin'],
    ['/admin page', /whitespace/, undefined],
    [' /admin', /whitespace/, '/admin'],
    ['/admin\t', /whitespace/, '/admin'],
    ['/admin\\users', /backslash/, '/admin/users'],
    ['/admin;jsessionid=1', /;parameters/, '/admin'],
    ['/./admin', /dot|\. or \.\./, '/admin'],
    ['/public/../admin', /\. or \.\./, '/admin'],
    ['//admin', /empty segment/, '/admin'],
    ['/admin//users', /empty segment/, '/admin/users'],
    ['/search?q=1', /query string/, '/search'],
    ['https://example.com/admin/**', /is a URL/, '/admin/**'],
    ['/a"b', /not allowed/, undefined],
    ['/a<b>', /not allowed/, undefined],
    ['/a\u0000', /control character/, undefined],
  ]

  it.each(cases)('%j is refused', (input, problem, glob) => {
    const message = refusal(input)
    expect(message).toMatch(problem)
    expect(suggestion(message)).toBe(glob)
  })

  it('the regex refusal reads as documented', () => {
    expect(refusal('[a-z]')).toContain('regular expressions are not supported; use a glob such as "/admin/**"')
  })

  it('an optional parameter is two globs', () => {
    expect(refusal('/users/:id?')).toContain('use two globs, "/users" and "/users/*"')
  })

  it('says when the suggestion is broader than the original', () => {
    expect(refusal('/*.js')).toContain('closest glob is "/*" (it matches more)')
    expect(refusal('/users/:id(\\d+)')).toContain('closest glob is "/users/*"')
  })

  it('quotes the offending input', () => {
    expect(refusal('/users/:id')).toMatch(/^"\/users\/:id"/)
  })

  it('refuses over-long patterns', () => {
    expect(refusal('/' + 'a'.repeat(MAX_PATTERN_LENGTH))).toMatch(/longer than/)
  })

  it('refuses non-strings', () => {
    expect(checkPattern(42 as unknown as string).ok).toBe(false)
    expect(checkPattern(undefined as unknown as string).ok).toBe(false)
  })

  it('every suggested glob is itself valid', () => {
    for (const [input] of cases) {
      const glob = suggestion(refusal(input))
      if (glob !== undefined) expect(checkPattern(glob), `${input} → ${glob}`).toEqual({ ok: true, pattern: glob })
    }
  })
})

describe('checkPatterns', () => {
  it('is empty when every pattern is valid', () => {
    expect(checkPatterns(['/', '/admin/**', '/api/*/export'])).toEqual([])
    expect(checkPatterns([])).toEqual([])
  })

  it('reports each invalid pattern by index', () => {
    const problems = checkPatterns(['/ok', '/users/:id', '/fine/**', '^/admin'])
    expect(problems.map(p => p.index)).toEqual([1, 3])
    expect(problems[0]!.message).toContain('/users/*')
    expect(problems[1]!.message).toContain('regular expressions are not supported')
  })
})

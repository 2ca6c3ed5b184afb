import { describe, expect, it } from 'vitest'
import { compileMatcher, createPathSet } from '../../modules/guard/runtime/core/routing/matcher'
import { pathReadings } from '../../modules/guard/runtime/core/paths/canonicalize'

function matcherOf(...patterns: string[]) {
  return compileMatcher(patterns.map((pattern, i) => ({ pattern, data: `${i}:${pattern}` })))
}

/** Reference semantics, written independently of rou3: segment by segment. */
function globMatches(pattern: string, path: string): boolean {
  const p = pattern === '/' ? [] : pattern.slice(1).split('/')
  const s = path === '/' ? [] : path.slice(1).split('/')
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '**') return true
    if (i >= s.length) return false
    if (p[i] !== '*' && p[i] !== s[i]) return false
  }
  return p.length === s.length
}

describe('compileMatcher: glob semantics', () => {
  it('exact patterns match only that path', () => {
    const m = matcherOf('/sign-in')
    expect(m.match('/sign-in')).toEqual(['0:/sign-in'])
    for (const path of ['/', '/sign', '/sign-in/x', '/sign-inx', '/x/sign-in']) expect(m.match(path)).toEqual([])
  })

  it('* is exactly one segment — never zero, never two', () => {
    const m = matcherOf('/users/*', '/api/*/export')
    expect(m.match('/users/1')).toEqual(['0:/users/*'])
    expect(m.match('/users')).toEqual([]) // rou3 alone would match this
    expect(m.match('/users/1/2')).toEqual([])
    expect(m.match('/api/v1/export')).toEqual(['1:/api/*/export'])
    expect(m.match('/api/export')).toEqual([])
    expect(m.match('/api/v1/v2/export')).toEqual([])
    expect(m.match('/api/v1/export/x')).toEqual([])
  })

  it('/* does not match the root', () => {
    expect(matcherOf('/*').match('/')).toEqual([])
    expect(matcherOf('/*').match('/x')).toEqual(['0:/*'])
  })

  it('** matches the prefix itself and anything below, but not a longer sibling', () => {
    const m = matcherOf('/admin/**')
    for (const path of ['/admin', '/admin/x', '/admin/x/y/z']) expect(m.match(path)).toEqual(['0:/admin/**'])
    for (const path of ['/', '/administrator', '/adm', '/x/admin']) expect(m.match(path)).toEqual([])
  })

  it('/** matches everything including the root; / matches only the root', () => {
    const m = matcherOf('/**', '/')
    expect(m.match('/')).toEqual(['0:/**', '1:/'])
    expect(m.match('/a/b')).toEqual(['0:/**'])
  })

  it('* before ** still needs its segment', () => {
    const m = matcherOf('/a/*/**', '/a/*/*/**')
    expect(m.match('/a')).toEqual([]) // rou3 alone would match both
    expect(m.match('/a/x')).toEqual(['0:/a/*/**'])
    expect(m.match('/a/x/y')).toEqual(['0:/a/*/**', '1:/a/*/*/**'])
  })

  it('a static segment named "undefined" cannot be reached by a short path', () => {
    const m = matcherOf('/a/undefined/**', '/a/*/undefined')
    expect(m.match('/a')).toEqual([])
    expect(m.match('/a/x')).toEqual([])
    expect(m.match('/a/undefined')).toEqual(['0:/a/undefined/**'])
  })

  it('prototype names are ordinary segments', () => {
    const m = matcherOf('/__proto__/**', '/constructor', '/a/*')
    expect(m.match('/__proto__')).toEqual(['0:/__proto__/**'])
    expect(m.match('/constructor')).toEqual(['1:/constructor'])
    expect(m.match('/tostring')).toEqual([])
    expect(createPathSet(['/constructor']).has('/__proto__')).toBe(false)
  })
})

describe('compileMatcher: overlapping rules', () => {
  it('returns every match in entry order, whatever rou3 walks first', () => {
    const m = matcherOf('/admin/users', '/admin/*', '/**', '/admin/**', '/*/users')
    expect(m.match('/admin/users')).toEqual(['0:/admin/users', '1:/admin/*', '2:/**', '3:/admin/**', '4:/*/users'])
    const reversed = matcherOf('/*/users', '/admin/**', '/**', '/admin/*', '/admin/users')
    expect(reversed.match('/admin/users')).toEqual(['0:/*/users', '1:/admin/**', '2:/**', '3:/admin/*', '4:/admin/users'])
  })

  it('keeps every entry of a repeated pattern, once each', () => {
    const m = compileMatcher([
      { pattern: '/admin/**', data: 'a' },
      { pattern: '/billing/**', data: 'b' },
      { pattern: '/admin/**', data: 'c' },
      { pattern: '/Admin/**/', data: 'd' },
    ])
    expect(m.match('/admin')).toEqual(['a', 'c', 'd'])
    expect(m.match('/admin/x')).toEqual(['a', 'c', 'd'])
  })

  it('repeated exact patterns on the Map fast path too', () => {
    const m = compileMatcher([{ pattern: '/a', data: 1 }, { pattern: '/b', data: 2 }, { pattern: '/A', data: 3 }])
    expect(m.match('/a')).toEqual([1, 3])
    expect(m.test('/a')).toBe(true)
    expect(m.test('/c')).toBe(false)
  })

  it('returns a fresh array each call', () => {
    for (const m of [matcherOf('/a'), matcherOf('/a/**')]) {
      const first = m.match('/a')
      first.push('mutated')
      first.length = 0
      expect(m.match('/a')).toHaveLength(1)
    }
  })

  it('agrees with the reference semantics on random patterns and paths', () => {
    let seed = 7
    const random = (n: number) => Math.floor(((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * n)
    const words = ['a', 'b', 'c']
    const patternSegment = () => ['a', 'b', '*', '*', 'c'][random(5)]!
    for (let round = 0; round < 200; round++) {
      const patterns = Array.from({ length: 1 + random(8) }, () => {
        const segments = Array.from({ length: random(4) }, patternSegment)
        if (random(3) === 0) segments.push('**')
        return '/' + segments.join('/')
      })
      const m = matcherOf(...patterns)
      const set = createPathSet(patterns)
      for (let k = 0; k < 30; k++) {
        const path = '/' + Array.from({ length: random(5) }, () => words[random(3)]).join('/')
        const expected = patterns.map((p, i) => `${i}:${p}`).filter((_, i) => globMatches(patterns[i]!, path))
        expect(m.match(path), `${JSON.stringify(patterns)} on ${path}`).toEqual(expected)
        expect(m.test(path)).toBe(expected.length > 0)
        expect(set.has(path)).toBe(expected.length > 0)
      }
    }
  })
})

describe('compileMatcher: validation backstop', () => {
  it('throws listing every bad pattern', () => {
    expect(() => matcherOf('/ok', '/users/:id', '^/admin')).toThrowError(/#1: .*\/users\/\*[\s\S]*#2: .*regular expressions/)
  })

  it('an empty list matches nothing', () => {
    expect(compileMatcher([]).match('/')).toEqual([])
    expect(createPathSet([]).has('/')).toBe(false)
  })
})

describe('compileMatcher: 1,000 patterns', () => {
  const patterns: string[] = []
  for (let i = 0; i < 250; i++) {
    patterns.push(`/tenant-${i}`, `/tenant-${i}/admin/**`, `/api/*/tenant-${i}/export`, `/t/${i}/*/reports/*`)
  }

  it('compiles 1,000 distinct patterns and finds the right ones', () => {
    expect(new Set(patterns).size).toBe(1_000)
    const m = matcherOf(...patterns)
    expect(m.match('/tenant-17')).toEqual(['68:/tenant-17'])
    expect(m.match('/tenant-17/admin')).toEqual(['69:/tenant-17/admin/**'])
    expect(m.match('/tenant-17/admin/settings')).toEqual(['69:/tenant-17/admin/**'])
    expect(m.match('/api/v2/tenant-249/export')).toEqual(['998:/api/*/tenant-249/export'])
    expect(m.match('/t/3/x/reports/y')).toEqual(['15:/t/3/*/reports/*'])
    expect(m.match('/t/3/x/reports')).toEqual([])
    expect(m.match('/tenant-1000')).toEqual([])
    expect(m.match('/tenant-17x/admin')).toEqual([])
  })

  it('100k lookups against 1,000 patterns finish well under a second', () => {
    const m = matcherOf(...patterns)
    const set = createPathSet(patterns)
    const paths = ['/tenant-5/admin/users', '/api/v1/tenant-99/export', '/nothing/here', '/t/1/a/reports/b', '/tenant-200']
    const start = performance.now()
    let hits = 0
    for (let i = 0; i < 100_000; i++) {
      hits += m.match(paths[i % paths.length]!).length
      if (set.has(paths[(i + 1) % paths.length]!)) hits++
    }
    const elapsed = performance.now() - start
    expect(hits).toBeGreaterThan(0)
    expect(elapsed).toBeLessThan(1_000)
  })

  it('costs about the same with 1,000 patterns as with 10', () => {
    const small = matcherOf(...patterns.slice(0, 10))
    const large = matcherOf(...patterns)
    const time = (m: ReturnType<typeof matcherOf>) => {
      const start = performance.now()
      for (let i = 0; i < 50_000; i++) m.match('/tenant-1/admin/users')
      return performance.now() - start
    }
    time(small); time(large) // warm up
    expect(time(large)).toBeLessThan(time(small) * 5 + 20)
  })
})

describe('readings × path sets: an attacker cannot make every reading public', () => {
  const publicPaths = createPathSet(['/', '/public/**', '/sign-in'])
  const attacks = [
    '/public/..%2Fadmin', '/public/%2e%2e/admin', '/public/..;/admin', '/public\\..\\admin',
    '/public/..%252Fadmin', '/public/%2e%2e%5cadmin', '/sign-in/../admin', '/public/x/../../admin',
  ]
  it.each(attacks)('%s has a non-public reading', (raw) => {
    const result = pathReadings(raw)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.readings.every(reading => publicPaths.has(reading))).toBe(false)
  })

  it('a genuinely public path stays public under every reading', () => {
    for (const raw of ['/public/docs', '/PUBLIC/Docs/', '/public/a%2Fb', '/sign-in?redirect_url=/admin']) {
      const result = pathReadings(raw)
      expect(result.ok && result.readings.every(reading => publicPaths.has(reading)), raw).toBe(true)
    }
  })
})

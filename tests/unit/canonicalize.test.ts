import { describe, expect, it } from 'vitest'
import { canonicalPath, pathReadings } from '../../modules/guard/runtime/core/paths/canonicalize'

function readings(raw: string): string[] {
  const result = pathReadings(raw)
  if (!result.ok) throw new Error(`expected ${raw} to be readable, got ${result.reason}`)
  return result.readings
}

function isCanonical(reading: string): boolean {
  return reading.startsWith('/')
    && !reading.includes('//')
    && (reading === '/' || !reading.endsWith('/'))
    && reading === reading.toLowerCase()
}

describe('pathReadings: attacks that try to reach /admin under another spelling', () => {
  const attacks: [string, string][] = [
    ['/%2Fadmin', 'encoded leading slash'],
    ['/%61dmin', 'encoded letter'],
    ['/%2561dmin', 'double-encoded letter'],
    ['/public/..%2Fadmin', 'encoded slash inside a dot segment'],
    ['/public/..%252Fadmin', 'double-encoded slash inside a dot segment'],
    ['/public/..%25252Fadmin', 'triple-encoded slash inside a dot segment'],
    ['/public/%2e%2e/admin', 'encoded dot segment'],
    ['/public/%2E%2E%2Fadmin', 'encoded dots and slash, upper-case hex'],
    ['/public/../admin', 'plain dot segment'],
    ['/public/..;/admin', 'Tomcat ..; traversal'],
    ['/./admin', 'single dot segment'],
    ['/../../admin', 'above the root'],
    ['//admin', 'double slash'],
    ['///admin//', 'slash runs and trailing slashes'],
    ['/admin;jsessionid=x', 'matrix parameter'],
    ['/admin%3Bx=1', 'encoded matrix parameter'],
    ['/ADMIN', 'upper case'],
    ['/AdMiN/', 'mixed case and trailing slash'],
    ['/admin/', 'trailing slash'],
    ['/admin%2F', 'encoded trailing slash'],
    ['/admin/.', 'trailing dot segment'],
    ['\\admin', 'backslash instead of slash'],
    ['/public\\..\\admin', 'backslash traversal'],
    ['/public%5C..%5Cadmin', 'encoded backslash traversal'],
    ['admin', 'no leading slash'],
    ['/admin?next=/public', 'query that looks public'],
    ['/admin#/public', 'fragment that looks public'],
    ['/admin%3F/public', 'encoded ? that a re-parsing component would cut at'],
    ['/admin%23/public', 'encoded # that a re-parsing component would cut at'],
  ]

  it.each(attacks)('%s (%s) has /admin among its readings', (raw) => {
    expect(readings(raw)).toContain('/admin')
  })

  it('keeps the raw spelling as a reading too (a router may not decode)', () => {
    expect(readings('/public/..%2Fadmin')).toEqual(['/public/..%2fadmin', '/admin', '/public/../admin'])
  })

  it('keeps an undotted reading for routers that do not resolve dots', () => {
    expect(readings('/public/../admin')).toEqual(['/admin', '/public/../admin'])
  })

  it('decodes at most three times', () => {
    expect(readings('/%252F')).toEqual(['/%252f', '/%2f', '/'])
    // four encodings of "/": the fourth decode never happens
    expect(readings('/a%2525252Fb')).not.toContain('/a/b')
    expect(readings('/a%2525252Fb')).toContain('/a%2fb')
  })

  it('strips parameters from every segment, not only the last', () => {
    expect(readings('/admin;a=1/users;b=2')).toContain('/admin/users')
  })
})

describe('pathReadings: refused requests', () => {
  const refused: [string, string][] = [
    ['/%zz', 'malformed percent-encoding'],
    ['/admin%', 'malformed percent-encoding'],
    ['/admin%2', 'malformed percent-encoding'],
    ['/%C0%AF', 'malformed percent-encoding'], // overlong "/"
    ['/%E0%A4', 'malformed percent-encoding'], // truncated sequence
    ['/%ED%A0%80', 'malformed percent-encoding'], // UTF-16 surrogate
    ['/%FF', 'malformed percent-encoding'],
    ['/admin%00', 'control character in path'],
    ['/admin%00.html', 'control character in path'],
    ['/admin%0A', 'control character in path'],
    ['/admin%0d%0aSet-Cookie:x', 'control character in path'],
    ['/admin%7F', 'control character in path'],
    ['/admin%09', 'control character in path'],
    ['/admin\u0000', 'control character in path'],
    ['/admin\n', 'control character in path'],
    ['/admin%2500', 'control character in path'], // NUL after the second decode
    ['/admin%252500', 'control character in path'], // NUL after the third decode
  ]
  it.each(refused)('%s → %s', (raw, reason) => {
    expect(pathReadings(raw)).toEqual({ ok: false, reason })
    expect(canonicalPath(raw)).toBeNull()
  })

  it('does not refuse a malformed escape that only appears after one decode', () => {
    expect(readings('/%25zz')).toEqual(['/%25zz', '/%zz'])
    expect(readings('/x%25C0%25AF')).toEqual(['/x%25c0%25af', '/x%c0%af'])
  })

  it('ignores control characters and bad escapes in the query and fragment', () => {
    expect(readings('/admin?x=%00%zz')).toEqual(['/admin'])
    expect(readings('/admin#%zz')).toEqual(['/admin'])
  })
})

describe('pathReadings: ordinary requests', () => {
  const single: [string, string][] = [
    ['/', '/'],
    ['/admin', '/admin'],
    ['/admin/users/42', '/admin/users/42'],
    ['/_nuxt/entry.DxY3.js', '/_nuxt/entry.dxy3.js'],
    ['/_nuxt/entry.abc.js', '/_nuxt/entry.abc.js'],
    ['/favicon.ico', '/favicon.ico'],
    ['/api/users?page=2', '/api/users'],
    ['/Sign-In', '/sign-in'],
    ['/docs/', '/docs'],
    ['/caf%C3%A9', '/caf%c3%a9'],
  ]
  it.each(single)('%s reads only as %s', (raw, expected) => {
    const result = readings(raw)
    if (raw === '/caf%C3%A9') expect(result).toEqual(['/caf%c3%a9', '/café'])
    else expect(result).toEqual([expected])
  })

  it('returns the raw path itself on the fast path', () => {
    expect(readings('/a/b-c_d~e.f')).toEqual(['/a/b-c_d~e.f'])
    expect(readings('')).toEqual(['/'])
    expect(readings('?x')).toEqual(['/'])
  })
})

describe('pathReadings: invariants over random input', () => {
  const alphabet = ['/', '/', 'a', 'A', '.', '..', '%', '%2F', '%2f', '%25', '%2e', '%5C', '\\', ';', '?', '#', '%3F', 'é', '%C3%A9', ' ', '%00', '*', ':', '%zz']
  let seed = 42
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
  const inputs = Array.from({ length: 5_000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 10) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''))

  it('never throws; every reading is canonical and unique; canonicalPath is one of them', () => {
    for (const raw of inputs) {
      const result = pathReadings(raw)
      if (!result.ok) {
        expect(['malformed percent-encoding', 'control character in path']).toContain(result.reason)
        expect(canonicalPath(raw)).toBeNull()
        continue
      }
      expect(result.readings.length).toBeGreaterThan(0)
      expect(new Set(result.readings).size).toBe(result.readings.length)
      for (const reading of result.readings) expect(isCanonical(reading), `${raw} → ${reading}`).toBe(true)
      expect(result.readings).toContain(canonicalPath(raw))
    }
  })

  it('the fully normalised once-decoded reading never contains a dot segment, backslash or ;', () => {
    for (const raw of inputs) {
      const path = canonicalPath(raw)
      if (path === null) continue
      expect(path.split('/').some(s => s === '.' || s === '..'), raw).toBe(false)
      expect(path.includes('\\') || path.includes(';'), raw).toBe(false)
    }
  })
})

describe('canonicalPath', () => {
  it('is the normalised once-decoded path', () => {
    expect(canonicalPath('/Public/..%2FAdmin/?x=1')).toBe('/admin')
    expect(canonicalPath('/admin')).toBe('/admin')
    expect(canonicalPath('/%252F')).toBe('/%2f')
    expect(canonicalPath('')).toBe('/')
  })

  it('cannot be turned into a protocol-relative redirect', () => {
    for (const raw of ['//evil.example', '/\\evil.example', '/%2F%2Fevil.example', '/%5C%5Cevil.example', '\\\\evil.example']) {
      const path = canonicalPath(raw)!
      expect(path.startsWith('//') || path.startsWith('/\\'), raw).toBe(false)
    }
  })
})

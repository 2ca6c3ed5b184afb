import { afterEach, describe, expect, it } from 'vitest'
import {
  type ClaimsUser,
  SHORTCODES,
  isKnownShortcode,
  resolveShortcode,
} from '../../modules/guard/runtime/core/claims/shortcodes'
import {
  CLAIMS_SIZE_LIMIT_BYTES,
  RESERVED_CLAIMS,
  checkClaimsTemplate,
  claimsByteSize,
  renderClaims,
} from '../../modules/guard/runtime/core/claims/template'

function makeUser(overrides: Partial<ClaimsUser> = {}): ClaimsUser {
  return {
    id: 'usr_1',
    email: 'a@b.c',
    email_verified: true,
    created_at: 1_700_000_000,
    roles: ['admin', 'editor'],
    permissions: ['posts:write'],
    two_factor_enabled: false,
    public_metadata: { org: { name: 'Acme', seats: 5 }, plan: 'pro' },
    ...overrides,
  }
}

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).polluted
})

describe('shortcodes catalogue', () => {
  it('lists the eight user fields and the four of the active organization', () => {
    expect(SHORTCODES.map(s => s.code)).toEqual([
      'user.id', 'user.email', 'user.email_verified', 'user.created_at',
      'user.roles', 'user.permissions', 'user.two_factor_enabled', 'user.public_metadata',
      'org.id', 'org.slug', 'org.role', 'org.public_metadata',
    ])
  })

  it('recognises fixed codes and metadata paths, not others', () => {
    expect(isKnownShortcode('user.email')).toBe(true)
    expect(isKnownShortcode('user.public_metadata.org.name')).toBe(true)
    expect(isKnownShortcode('user.public_metadata.a-b_1')).toBe(true)
    for (const bad of ['user.password', 'org.name', 'org.permissions', 'org.public_metadata.__proto__', 'user.public_metadata.', 'user.public_metadata..a',
      'user.public_metadata.__proto__', 'user.public_metadata.a.constructor', 'user.public_metadata.prototype',
      'constructor', 'toString', '']) {
      expect(isKnownShortcode(bad), bad).toBe(false)
    }
  })

  it('resolves metadata paths, missing keys to null, never walking inherited keys', () => {
    const user = makeUser()
    expect(resolveShortcode('user.public_metadata.org.name', user)).toEqual({ known: true, value: 'Acme' })
    expect(resolveShortcode('user.public_metadata.org.missing', user)).toEqual({ known: true, value: null })
    expect(resolveShortcode('user.public_metadata.plan.length', user)).toEqual({ known: true, value: null })
    expect(resolveShortcode('user.public_metadata.toString', user)).toEqual({ known: true, value: null })
    expect(resolveShortcode('user.public_metadata.__proto__', user)).toEqual({ known: false })
    expect(resolveShortcode('constructor', user)).toEqual({ known: false })
  })

  it('reads only own metadata keys, even if Object.prototype is polluted elsewhere', () => {
    ;(Object.prototype as Record<string, unknown>).polluted = 'yes'
    const user = makeUser()
    expect(resolveShortcode('user.public_metadata.polluted', user)).toEqual({ known: true, value: null })
    expect(resolveShortcode('user.public_metadata.org.polluted', user)).toEqual({ known: true, value: null })
  })

  it('returns copies, not references into the user record', () => {
    const user = makeUser()
    const resolved = resolveShortcode('user.roles', user)
    expect(resolved).toEqual({ known: true, value: ['admin', 'editor'] })
    ;(resolved as { value: string[] }).value.push('hacker')
    expect(user.roles).toEqual(['admin', 'editor'])
  })
})

describe('renderClaims', () => {
  it('renders the Clerk recipe with a real boolean', () => {
    const template = JSON.parse('{"isMfa": "{{user.two_factor_enabled}}"}')
    expect(checkClaimsTemplate(template)).toEqual([])
    expect(renderClaims(template, makeUser({ two_factor_enabled: false }))).toStrictEqual({ isMfa: false })
    expect(renderClaims(template, makeUser({ two_factor_enabled: true }))).toStrictEqual({ isMfa: true })
  })

  it('keeps the type of a lone shortcode', () => {
    const claims = renderClaims({
      mfa2: '{{user.two_factor_enabled}}',
      since: '{{user.created_at}}',
      perms: '{{user.permissions}}',
      team: '{{user.public_metadata.team}}',
      org: '{{user.public_metadata.org}}',
    }, makeUser())
    expect(claims.mfa2).toBe(false)
    expect(claims.since).toBe(1_700_000_000)
    expect(claims.perms).toEqual(['posts:write'])
    expect(claims.team).toBeNull()
    expect(claims.org).toEqual({ name: 'Acme', seats: 5 })
  })

  it('interpolates shortcodes inside longer text', () => {
    const claims = renderClaims({
      who: '{{user.email}} (verified: {{user.email_verified}})',
      team: 'team={{user.public_metadata.team}}',
      perms: 'r:{{user.permissions}}',
      padded: ' {{user.id}}',
    }, makeUser())
    expect(claims).toStrictEqual({ who: 'a@b.c (verified: true)', team: 'team=', perms: 'r:["posts:write"]', padded: ' usr_1' })
  })

  it('allows whitespace inside the braces', () => {
    const claims = renderClaims({ a: '{{ user.email }}', b: '{{\tuser.email_verified  }}', c: 'x {{  user.id}}' }, makeUser())
    expect(claims).toStrictEqual({ a: 'a@b.c', b: true, c: 'x usr_1' })
  })

  it('renders nested objects and arrays, leaving literals alone', () => {
    const template = {
      org: { name: '{{user.public_metadata.org.name}}', seats: '{{user.public_metadata.org.seats}}', tier: 3 },
      list: ['{{user.id}}', 7, null, true, { e: '{{user.email}}' }, 'plain {text}'],
    }
    expect(checkClaimsTemplate(template)).toEqual([])
    expect(renderClaims(template, makeUser())).toStrictEqual({
      org: { name: 'Acme', seats: 5, tier: 3 },
      list: ['usr_1', 7, null, true, { e: 'a@b.c' }, 'plain {text}'],
    })
  })

  it('renders unknown shortcodes as null (lone) or "" (in text)', () => {
    expect(renderClaims({ a: '{{user.password}}', b: 'x{{org.id}}y' }, makeUser())).toStrictEqual({ a: null, b: 'xy' })
  })

  it('skips top-level reserved claims even in an unchecked template', () => {
    expect(renderClaims({ sub: 'evil', exp: 1, roles: ['x'], nested: { sub: 'ok' } }, makeUser()))
      .toStrictEqual({ nested: { sub: 'ok' } })
  })

  it('is pure: the template and user are unchanged and output does not share references', () => {
    const template = { r: '{{user.roles}}', nested: { x: 1 } }
    const user = makeUser()
    const snapshot = JSON.stringify({ template, user })
    const first = renderClaims(template, user)
    ;(first.r as string[]).push('x')
    ;(first.nested as Record<string, number>).x = 2
    expect(JSON.stringify({ template, user })).toBe(snapshot)
    expect(renderClaims(template, user)).toStrictEqual({ r: ['admin', 'editor'], nested: { x: 1 } })
  })
})

describe('checkClaimsTemplate', () => {
  it('rejects non-objects', () => {
    for (const bad of [null, [], 'x', 3, undefined]) {
      expect(checkClaimsTemplate(bad)).toHaveLength(1)
    }
    expect(checkClaimsTemplate([], 'x.y')[0]!.path).toBe('x.y')
  })

  it('refuses every reserved claim at the top level', () => {
    expect(RESERVED_CLAIMS).toHaveLength(17)
    for (const claim of RESERVED_CLAIMS) {
      const issues = checkClaimsTemplate({ [claim]: 'v', ok: 1 })
      expect(issues, claim).toHaveLength(1)
      expect(issues[0]).toMatchObject({ path: `claims.template.${claim}` })
      expect(issues[0]!.message).toContain(`\`${claim}\` is reserved: nuxt-guard sets it`)
    }
    expect(checkClaimsTemplate({ roles: [] })[0]!.message).toMatch(/user's roles/)
    // The token's own email_verified (OIDC Core §5.1) cannot be forged or shadowed by the template.
    expect(checkClaimsTemplate({ email_verified: true })[0]!.message).toMatch(/the session token already carries it/)
    expect(renderClaims({ email_verified: true, emailVerified: '{{user.email_verified}}' }, makeUser())).toEqual({ emailVerified: true })
    expect(checkClaimsTemplate({ nested: { exp: 1, roles: [] } })).toEqual([])
  })

  it('reports unknown shortcodes with their dot path and the valid list', () => {
    const issues = checkClaimsTemplate({ x: { y: 'hi {{ user.password }}' } })
    expect(issues).toHaveLength(1)
    expect(issues[0]!.path).toBe('claims.template.x.y')
    expect(issues[0]!.message).toContain('user.password')
    expect(issues[0]!.message).toContain('user.email')
    expect(checkClaimsTemplate({ a: ['ok', '{{org.name}}'] }, 'cfg')[0]!.path).toBe('cfg.a.1')
  })

  it('reports unbalanced braces', () => {
    expect(checkClaimsTemplate({ a: '{{user.email' })[0]!.message).toMatch(/unclosed shortcode/)
    expect(checkClaimsTemplate({ a: '{{user.email}} and {{' })[0]!.message).toMatch(/unclosed shortcode/)
    expect(checkClaimsTemplate({ a: 'user.email}}' })[0]!.message).toMatch(/unbalanced/)
    expect(checkClaimsTemplate({ a: '{single} braces' })).toEqual([])
  })

  it('refuses forbidden and empty keys anywhere', () => {
    const parsed = JSON.parse('{"a": {"__proto__": {"polluted": "yes"}}, "constructor": 1, "b": [{"prototype": 2}], "": 3}')
    const paths = checkClaimsTemplate(parsed).map(i => i.path)
    expect(paths).toEqual(expect.arrayContaining([
      'claims.template.a.__proto__', 'claims.template.constructor', 'claims.template.b.0.prototype', 'claims.template.',
    ]))
    expect(paths).toHaveLength(4)
  })

  it('refuses objects whose prototype was set by a literal __proto__', () => {
    expect(checkClaimsTemplate({ __proto__: { polluted: 'yes' } })).toHaveLength(1)
  })

  it('refuses the __proto__ metadata shortcode', () => {
    const issues = checkClaimsTemplate({ p: '{{user.public_metadata.__proto__}}' })
    expect(issues).toHaveLength(1)
    expect(issues[0]!.path).toBe('claims.template.p')
  })

  it('rejects deep nesting and too many keys', () => {
    expect(checkClaimsTemplate({ a: { b: { c: { d: { e: 1 } } } } })).toEqual([])
    const deep = checkClaimsTemplate({ a: { b: { c: { d: { e: { f: 1 } } } } } })
    expect(deep).toHaveLength(1)
    expect(deep[0]!.path).toBe('claims.template.a.b.c.d.e')
    expect(checkClaimsTemplate({ a: [[[[[1]]]]] })).toHaveLength(1)
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
    expect(checkClaimsTemplate(many(50))).toEqual([])
    expect(checkClaimsTemplate(many(51))[0]!.message).toMatch(/too many keys/)
  })

  it('rejects non-JSON values', () => {
    expect(checkClaimsTemplate({ a: Number.NaN })).toHaveLength(1)
    expect(checkClaimsTemplate({ a: new Date(0) })).toHaveLength(1)
    expect(checkClaimsTemplate({ a: undefined })).toHaveLength(1)
  })

  it('reports the size limit for a 2,000-char literal', () => {
    const issues = checkClaimsTemplate({ big: 'x'.repeat(2000) })
    expect(issues).toHaveLength(1)
    expect(issues[0]!.path).toBe('claims.template')
    expect(issues[0]!.message).toContain(String(CLAIMS_SIZE_LIMIT_BYTES))
    expect(checkClaimsTemplate({ big: 'x'.repeat(1000) })).toEqual([])
  })

  it('measures size against a worst-plausible user, not the literal template', () => {
    const template = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`e${i}`, '{{user.email}}']))
    expect(claimsByteSize(template)).toBeLessThan(CLAIMS_SIZE_LIMIT_BYTES)
    expect(checkClaimsTemplate(template)[0]!.message).toMatch(/over the 1200-byte limit/)
  })
})

describe('prototype pollution', () => {
  it('cannot pollute Object.prototype through keys or shortcodes', () => {
    const template = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "a": {"__proto__": {"polluted": "yes"}}, "m": "{{user.public_metadata.__proto__}}", "c": {"constructor": {"prototype": {"polluted": "yes"}}}}',
    )
    expect(checkClaimsTemplate(template).length).toBeGreaterThan(0)
    const user = makeUser({ public_metadata: JSON.parse('{"__proto__": {"polluted": "yes"}, "x": {"__proto__": {"polluted": "yes"}}}') })
    const claims = renderClaims(template, user)
    const viaMeta = renderClaims({ x: '{{user.public_metadata.x}}', all: '{{user.public_metadata}}' }, user)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(claims.a)).toBe(Object.prototype)
    expect(claims).toStrictEqual({ a: {}, m: null, c: {} })
    expect(viaMeta).toStrictEqual({ x: {}, all: { x: {} } })
  })
})

describe('claimsByteSize', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(claimsByteSize({ a: 'e' })).toBe(9)
    expect(claimsByteSize({ a: 'é' })).toBe(10)
    expect(claimsByteSize({ a: '😀' })).toBe(12)
  })
})

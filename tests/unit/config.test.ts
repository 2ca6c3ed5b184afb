import { describe, expect, it } from 'vitest'
import { defaultConfig, validateConfig, type ConfigIssue } from '../../modules/guard/runtime/core/config/validate'

/** The issues of a document that must be refused. */
function issuesOf(input: unknown): ConfigIssue[] {
  const result = validateConfig(input)
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused`)
  return result.issues
}

/** The config document of DESIGN.md, comments removed. */
const DESIGN_DOC = {
  version: 7,
  signInUrl: '/sign-in', signUpUrl: '/sign-up', afterSignInUrl: '/',
  routes: {
    mode: 'protect-all',
    public: ['/', '/sign-in', '/sign-up'],
    ignored: ['/_nuxt/**', '/favicon.ico'],
    api: ['/api/**'],
    rules: [
      { pattern: '/admin/**', require: { roles: ['admin'], mfa: true } },
      { pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 600 } } },
      { pattern: '/api/reports/**', require: { permissions: ['reports:read'] } },
    ],
  },
  mfa: {
    enforce: 'all',
    strategies: { totp: true, recovery_code: true, email_code: false, webauthn: true },
    requirements: [{ oneOf: ['totp', 'webauthn'] }],
    enrollUrl: '/account/manage-mfa/add', challengeUrl: '/mfa-challenge',
    mfaTokenTtlSeconds: 300, rememberDeviceDays: 30,
  },
  claims: { template: { isMfa: '{{user.two_factor_enabled}}', email: '{{user.email}}' } },
  account: { emailVerification: 'optional', verifyEmailUrl: '/verify-email', invitationTtlHours: 72, enumerationProtection: false, breachedPasswordCheck: false },
  organizations: {
    enabled: true, usersCanCreate: false,
    roles: { 'org:admin': ['org:sys_memberships:manage', 'org:sys_memberships:read'], 'org:member': [], 'org:billing': ['org:invoices:read', 'org:invoices:manage'] },
    invitationUrl: '/join', orgSelectionUrl: '/pick-org', invitationTtlHours: 24,
  },
  session: { tokenTtlSeconds: 60, sessionTtlDays: 7, clockSkewMs: 5000 },
  roles: { admin: ['guard:admin'], member: [] },
}

describe('validateConfig: defaults', () => {
  it('{} gives a complete, working config', () => {
    expect(validateConfig({})).toEqual({
      ok: true,
      config: {
        signInUrl: '/sign-in',
        signUpUrl: '/sign-up',
        afterSignInUrl: '/',
        routes: {
          mode: 'protect-all',
          public: ['/', '/sign-in', '/sign-up'],
          ignored: ['/_nuxt/**', '/favicon.ico', '/__nuxt_error'],
          api: ['/api/**'],
          rules: [],
        },
        mfa: {
          enforce: 'off',
          strategies: { totp: true, recovery_code: true, email_code: false, webauthn: true },
          requirements: [{ oneOf: ['totp', 'webauthn'] }],
          enrollUrl: '/account/manage-mfa/add',
          challengeUrl: '/mfa-challenge',
          mfaTokenTtlSeconds: 300,
          rememberDeviceDays: 30,
        },
        claims: { template: {} },
        account: { emailVerification: 'optional', verifyEmailUrl: '/verify-email', invitationTtlHours: 72, enumerationProtection: false, breachedPasswordCheck: false },
        organizations: {
          enabled: false,
          usersCanCreate: true,
          roles: {
            'org:admin': ['org:sys_profile:manage', 'org:sys_profile:delete', 'org:sys_memberships:read', 'org:sys_memberships:manage'],
            'org:member': ['org:sys_memberships:read'],
          },
          invitationUrl: '/org-invitation',
          orgSelectionUrl: '/org-selection',
          invitationTtlHours: 72,
        },
        session: { tokenTtlSeconds: 60, sessionTtlDays: 7, clockSkewMs: 5000 },
        roles: { admin: ['guard:admin'], member: [] },
      },
    })
  })

  it('defaultConfig() is the config of {}, and a missing document (undefined, null) means {}', () => {
    const fromEmpty = validateConfig({})
    expect(fromEmpty).toEqual({ ok: true, config: defaultConfig() })
    expect(validateConfig(undefined)).toEqual(fromEmpty)
    expect(validateConfig(null)).toEqual(fromEmpty)
  })

  it('a partial section keeps the defaults of its other fields', () => {
    const result = validateConfig({ mfa: { enforce: 'all' }, session: { tokenTtlSeconds: 120 } })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config.mfa).toEqual({ ...defaultConfig().mfa, enforce: 'all' })
    expect(result.config.session).toEqual({ tokenTtlSeconds: 120, sessionTtlDays: 7, clockSkewMs: 5000 })
  })

  it('every call gets its own copy: editing one config never changes another', () => {
    const edited = defaultConfig()
    edited.routes.public.push('/edited')
    edited.roles.admin!.push('edited:permission')
    const requirement = edited.mfa.requirements[0]
    if (typeof requirement === 'object' && 'oneOf' in requirement) requirement.oneOf.push('email_code')

    const fresh = defaultConfig()
    expect(fresh.routes.public).toEqual(['/', '/sign-in', '/sign-up'])
    expect(fresh.roles).toEqual({ admin: ['guard:admin'], member: [] })
    expect(fresh.mfa.requirements).toEqual([{ oneOf: ['totp', 'webauthn'] }])
  })

  it('a document that is not an object is refused at (document)', () => {
    expect(issuesOf([])).toEqual([{ path: '(document)', message: 'Invalid input: expected object, received array' }])
    expect(issuesOf('protect-all')).toEqual([{ path: '(document)', message: 'Invalid input: expected object, received string' }])
  })
})

describe('validateConfig: field-level issues', () => {
  it('a regular expression in routes.public is refused at its index, suggesting the glob', () => {
    expect(issuesOf({ routes: { public: ['/', '^/admin/.*$'] } })).toEqual([
      { path: 'routes.public.1', message: '"^/admin/.*$": regular expressions are not supported; use a glob such as "/admin/**"' },
    ])
  })

  it('a path-to-regexp parameter in a rule pattern is refused, suggesting /users/*', () => {
    const issues = issuesOf({ routes: { rules: [
      { pattern: '/admin/**', require: { roles: ['admin'] } },
      { pattern: '/users/:id', require: { roles: ['member'] } },
    ] } })
    expect(issues).toEqual([
      { path: 'routes.rules.1.pattern', message: '"/users/:id" uses a path-to-regexp parameter (:id); use the glob "/users/*" instead' },
    ])
  })

  it('an unknown top-level key is reported at that key', () => {
    expect(issuesOf({ signInUrl: '/sign-in', sigInUrl: '/login' })).toEqual([
      { path: 'sigInUrl', message: expect.stringContaining('"sigInUrl"') },
    ])
  })

  it('an unknown key inside routes is reported at routes.<key>', () => {
    expect(issuesOf({ routes: { publc: ['/docs/**'] } })).toEqual([
      { path: 'routes.publc', message: expect.stringContaining('"publc"') },
    ])
  })

  it('mfa.enforce outside off | all | rules', () => {
    expect(issuesOf({ mfa: { enforce: 'sometimes' } })).toEqual([
      { path: 'mfa.enforce', message: 'Invalid option: expected one of "off"|"all"|"rules"' },
    ])
  })

  it('session.tokenTtlSeconds below 10', () => {
    expect(issuesOf({ session: { tokenTtlSeconds: 5 } })).toEqual([
      { path: 'session.tokenTtlSeconds', message: 'Too small: expected number to be >=10' },
    ])
  })

  it('signInUrl must be a path on this site: a full URL is refused', () => {
    expect(issuesOf({ signInUrl: 'https://evil.example' })).toEqual([
      { path: 'signInUrl', message: expect.stringContaining('"https://evil.example" is a URL') },
    ])
  })

  it('signInUrl must be a path on this site: a scheme-relative //host is refused', () => {
    expect(issuesOf({ signInUrl: '//evil.example' })).toEqual([
      { path: 'signInUrl', message: expect.stringContaining('"//evil.example" contains an empty segment (//)') },
    ])
  })

  it('signInUrl cannot be a glob', () => {
    expect(issuesOf({ signInUrl: '/sign-in/**' })).toEqual([
      { path: 'signInUrl', message: 'must be one exact path on this site, such as /sign-in (no wildcards)' },
    ])
  })

  it('claims.template: a reserved claim and an unknown shortcode, each at its own key', () => {
    const issues = issuesOf({ claims: { template: { exp: 9999999999, secret: '{{user.password}}', org: { id: '{{user.org}}' } } } })
    expect(issues.map(issue => issue.path)).toEqual(['claims.template.exp', 'claims.template.secret', 'claims.template.org.id'])
    expect(issues[0]!.message).toBe('`exp` is reserved: nuxt-guard sets it')
    expect(issues[1]!.message).toMatch(/^unknown shortcode `\{\{ user\.password \}\}`; valid: user\.id, user\.email, /)
    expect(issues[2]!.message).toMatch(/^unknown shortcode `\{\{ user\.org \}\}`/)
  })

  it('every DESIGN.md reserved claim is refused in the template', () => {
    for (const claim of ['sub', 'sid', 'iss', 'aud', 'exp', 'iat', 'nbf', 'azp', 'mfa', 'fva']) {
      expect(issuesOf({ claims: { template: { [claim]: 'x' } } })).toEqual([
        { path: `claims.template.${claim}`, message: `\`${claim}\` is reserved: nuxt-guard sets it` },
      ])
    }
  })

  it('a factor id typo in mfa.requirements is reported at the entry, naming the valid factors', () => {
    const issues = issuesOf({ mfa: { requirements: ['totpp'] } })
    expect(issues).toEqual([{ path: 'mfa.requirements.0', message: expect.stringContaining('webauthn') }])
  })

  it('a factor id typo inside oneOf is reported at the element', () => {
    const issues = issuesOf({ mfa: { requirements: [{ oneOf: ['totp', 'webauth'] }] } })
    expect(issues.map(issue => issue.path)).toEqual(['mfa.requirements.0.oneOf.1'])
  })

  it('several problems are reported together', () => {
    const issues = issuesOf({ session: { tokenTtlSeconds: 5 }, mfa: { enforce: 'sometimes' }, routes: { public: ['/users/:id'] } })
    expect(issues.map(issue => issue.path).sort()).toEqual(['mfa.enforce', 'routes.public.0', 'session.tokenTtlSeconds'])
  })
})

describe('validateConfig: version and round trip', () => {
  it('accepts a version in the input but never copies it into the config', () => {
    const result = validateConfig({ version: 7 })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect('version' in result.config).toBe(false)
    expect(result.config).toEqual(defaultConfig())
  })

  it('refuses a version that is not a non-negative integer', () => {
    expect(issuesOf({ version: -1 }).map(issue => issue.path)).toEqual(['version'])
    expect(issuesOf({ version: 1.5 }).map(issue => issue.path)).toEqual(['version'])
  })

  it('the DESIGN.md document validates with its own values', () => {
    const result = validateConfig(DESIGN_DOC)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const { version: _version, ...withoutVersion } = DESIGN_DOC
    expect(result.config).toEqual(withoutVersion)
  })

  it('a validated config round-trips: validate(validate(doc).config) equals validate(doc)', () => {
    const first = validateConfig(DESIGN_DOC)
    expect(first.ok).toBe(true)
    if (!first.ok) return
    const second = validateConfig(JSON.parse(JSON.stringify(first.config)))
    expect(second).toEqual(first)
    expect(validateConfig(first.config)).toEqual(first)
  })
})

describe('validateConfig: organizations', () => {
  const roles = (extra: Record<string, string[]>) => ({ organizations: { roles: { 'org:admin': ['org:sys_memberships:manage'], 'org:member': [], ...extra } } })

  it('a custom role with custom org:<feature>:<action> permissions validates', () => {
    const result = validateConfig(roles({ 'org:billing': ['org:invoices:read', 'org:sys_memberships:read'] }))
    expect(result.ok && result.config.organizations.roles['org:billing']).toEqual(['org:invoices:read', 'org:sys_memberships:read'])
  })

  it('role and permission names must start with org: (and a permission name a feature and an action)', () => {
    expect(issuesOf(roles({ billing: [] }))).toEqual([
      { path: 'organizations.roles.billing', message: 'organization roles are named org:<role> in lower case, such as org:billing' },
    ])
    expect(issuesOf(roles({ 'org:billing': ['invoices:read', 'org:invoices', 'org:Invoices:read'] })).map(issue => issue.path)).toEqual([
      'organizations.roles.org:billing.0', 'organizations.roles.org:billing.1', 'organizations.roles.org:billing.2',
    ])
  })

  it('enumeration protection needs email verification on: the code is what signs a new account in', () => {
    expect(issuesOf({ account: { enumerationProtection: true, emailVerification: 'off' } })).toEqual([
      { path: 'account.enumerationProtection', message: expect.stringContaining('needs emailVerification') },
    ])
    expect(validateConfig({ account: { enumerationProtection: true } }).ok).toBe(true)
  })

  it('the built-in roles cannot be deleted', () => {
    expect(issuesOf({ organizations: { roles: { 'org:admin': ['org:sys_memberships:manage'] } } })).toEqual([
      { path: 'organizations.roles.org:member', message: 'the built-in role org:member cannot be deleted; give it the permissions it should have (an empty list for none)' },
    ])
    expect(issuesOf({ organizations: { roles: { 'org:member': [] } } }).map(issue => issue.path)).toEqual(['organizations.roles.org:admin'])
  })

  it('org:admin keeps org:sys_memberships:manage; org:sys_ names only the system permissions', () => {
    expect(issuesOf({ organizations: { roles: { 'org:admin': ['org:sys_profile:manage'], 'org:member': [] } } })).toEqual([
      { path: 'organizations.roles.org:admin', message: 'org:admin must keep org:sys_memberships:manage, or nobody could manage an organization\'s members' },
    ])
    expect(issuesOf(roles({ 'org:ops': ['org:sys_everything:manage'] })).map(issue => issue.path)).toEqual(['organizations.roles.org:ops.0'])
  })

  it('the invitation page is a path on this site; the TTL is 1 to 720 hours', () => {
    expect(issuesOf({ organizations: { invitationUrl: 'https://evil.example/join', invitationTtlHours: 0 } }).map(issue => issue.path))
      .toEqual(['organizations.invitationUrl', 'organizations.invitationTtlHours'])
  })
})

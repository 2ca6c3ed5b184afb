import { describe, expect, it } from 'vitest'
import { pathReadings } from '../../modules/guard/runtime/core/paths/canonicalize'
import { signedInAuth, signedOutAuth } from '../../modules/guard/runtime/core/policy/auth'
import { compilePolicy } from '../../modules/guard/runtime/core/policy/compile'
import { evaluateAccess } from '../../modules/guard/runtime/core/policy/decide'
import { ALLOWED, ALLOWED_BY_RULES, policyOf, classify, claims, judge, outcome } from '../support/policy'

describe('compilePolicy: classify', () => {
  it('protect-all denies by default: an unlisted path is protected with no rules', () => {
    const policy = policyOf()
    expect(classify(policy, '/reports/q3')).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
    expect(classify(policy, '/')).toEqual({ kind: 'public', api: false })
  })

  it('public-all makes only rule-matched paths protected', () => {
    const policy = policyOf({ routes: { mode: 'public-all', rules: [{ pattern: '/admin/**', require: { roles: ['admin'] } }] } })
    expect(classify(policy, '/reports/q3')).toEqual({ kind: 'public', api: false })
    expect(classify(policy, '/api/reports')).toEqual({ kind: 'public', api: true })
    expect(classify(policy, '/admin/users')).toEqual({
      kind: 'protected', api: false, mfaExempt: false,
      rules: [{ index: 0, pattern: '/admin/**', require: { roles: ['admin'] } }],
    })
  })

  it('an ignored path gets no auth work, unless a rule also matches it', () => {
    const policy = policyOf({ routes: { rules: [{ pattern: '/_nuxt/private/**', require: { roles: ['admin'] } }] } })
    expect(classify(policy, '/_nuxt/entry.js')).toEqual({ kind: 'ignored' })
    expect(classify(policy, '/favicon.ico')).toEqual({ kind: 'ignored' })
    expect(classify(policy, '/_nuxt/private/chunk.js')).toEqual({
      kind: 'protected', api: false, mfaExempt: false,
      rules: [{ index: 0, pattern: '/_nuxt/private/**', require: { roles: ['admin'] } }],
    })
  })

  it('the public list is public, and a rule on a public path wins', () => {
    const policy = policyOf({ routes: {
      public: ['/', '/docs/**'],
      rules: [{ pattern: '/docs/internal/**', require: { roles: ['member'] } }],
    } })
    expect(classify(policy, '/docs')).toEqual({ kind: 'public', api: false })
    expect(classify(policy, '/docs/getting-started')).toEqual({ kind: 'public', api: false })
    expect(classify(policy, '/docs/internal/runbook')).toMatchObject({ kind: 'protected', rules: [{ index: 0 }] })
  })

  it('the api list sets the api flag on public and protected paths', () => {
    const policy = policyOf({ routes: { public: ['/', '/api/health'], api: ['/api/**', '/rpc/*'] } })
    expect(classify(policy, '/api/health')).toEqual({ kind: 'public', api: true })
    expect(classify(policy, '/api/reports')).toEqual({ kind: 'protected', api: true, rules: [], mfaExempt: false })
    expect(classify(policy, '/rpc/call')).toEqual({ kind: 'protected', api: true, rules: [], mfaExempt: false })
    expect(classify(policy, '/rpc/call/deeper')).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
  })

  it('/api/_guard/** is always a public API, even under an /api/** rule and without an api list', () => {
    const policy = policyOf({ routes: { api: [], rules: [{ pattern: '/api/**', require: { roles: ['admin'] } }] } })
    expect(classify(policy, '/api/_guard/session')).toEqual({ kind: 'public', api: true })
    expect(classify(policy, '/api/_guard/admin/config')).toEqual({ kind: 'public', api: true })
    expect(classify(policy, '/API/_Guard/sign-in')).toEqual({ kind: 'public', api: true })
    expect(classify(policy, '/api/other')).toMatchObject({ kind: 'protected', api: false, rules: [{ index: 0 }] })
  })

  it('signInUrl and signUpUrl are public even under a /** rule and outside the public list', () => {
    const policy = policyOf({
      signInUrl: '/login', signUpUrl: '/register',
      routes: { public: [], rules: [{ pattern: '/**', require: { roles: ['member'] } }] },
    })
    expect(classify(policy, '/login')).toEqual({ kind: 'public', api: false })
    expect(classify(policy, '/register')).toEqual({ kind: 'public', api: false })
    // The reset page of a forgotten password, like sign-in: nobody signed in can be asked to sign in for it.
    expect(classify(policy, '/forgot-password')).toEqual({ kind: 'public', api: false })
    // Where an emailed invitation lands: the invited person has no account yet.
    expect(classify(policy, '/accept-invitation')).toEqual({ kind: 'public', api: false })
    expect(classify(policy, '/')).toMatchObject({ kind: 'protected', rules: [{ index: 0, pattern: '/**' }] })
    expect(classify(policy, '/sign-in')).toMatchObject({ kind: 'protected', rules: [{ index: 0 }] })
  })

  it('the MFA enroll and challenge pages are protected and exempt from the global MFA validators (and the address and organization checks)', () => {
    const policy = policyOf({ mfa: { enforce: 'all' } })
    const exempt = { kind: 'protected', api: false, rules: [], mfaExempt: true, verifyExempt: true, orgExempt: true }
    expect(classify(policy, '/account/manage-mfa/add')).toEqual(exempt)
    expect(classify(policy, '/mfa-challenge')).toEqual(exempt)
    expect(classify(policy, '/mfa-challenge/other')).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
  })

  it('the verify-email page is protected and exempt from the address check and from MFA; nothing under it is', () => {
    const policy = policyOf({ mfa: { enforce: 'all' }, account: { emailVerification: 'required', verifyEmailUrl: '/welcome/verify' } })
    expect(classify(policy, '/welcome/verify')).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: true, verifyExempt: true, orgExempt: true })
    expect(classify(policy, '/welcome/verify/other')).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
    expect(classify(policy, '/verify-email')).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
  })

  describe('most restrictive over the readings of one path', () => {
    const policy = policyOf({ routes: {
      public: ['/', '/public/**'],
      rules: [{ pattern: '/admin/**', require: { roles: ['admin'] } }],
    } })
    const adminOnly = {
      kind: 'protected', api: false, mfaExempt: false,
      rules: [{ index: 0, pattern: '/admin/**', require: { roles: ['admin'] } }],
    }

    for (const rawPath of [
      '/public/..%2Fadmin',
      '/public/..%2fadmin/users',
      '/public/%2e%2e/admin',
      '/public/..%252Fadmin',
      '/public/..%5Cadmin',
      '/public;x/../admin',
      '/PUBLIC/../Admin',
      '/public//..//admin',
    ]) {
      it(`${rawPath} is protected by the admin rule`, () => {
        expect(classify(policy, rawPath)).toEqual(adminOnly)
      })
    }

    it('rules matched by different readings are united and sorted by index', () => {
      const policy = policyOf({ routes: { rules: [
        { pattern: '/a/**', require: { roles: ['a'] } },
        { pattern: '/b/**', require: { roles: ['b'] } },
        { pattern: '/c/**', require: { roles: ['c'] } },
      ] } })
      expect(pathReadings('/b/..%2Fa/x')).toEqual({ ok: true, readings: ['/b/..%2fa/x', '/a/x', '/b/../a/x'] })
      const route = classify(policy, '/b/..%2Fa/x')
      expect(route).toEqual({
        kind: 'protected', api: false, mfaExempt: false,
        rules: [
          { index: 0, pattern: '/a/**', require: { roles: ['a'] } },
          { index: 1, pattern: '/b/**', require: { roles: ['b'] } },
        ],
      })
    })

    it('protected beats public beats ignored; one API reading makes it API', () => {
      const policy = policyOf({ routes: { public: ['/'] } })
      expect(policy.classify(['/_nuxt/x.js', '/'])).toEqual({ kind: 'public', api: false })
      expect(policy.classify(['/_nuxt/x.js', '/secret'])).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
      expect(policy.classify(['/', '/api/x'])).toEqual({ kind: 'protected', api: true, rules: [], mfaExempt: false })
      expect(policy.classify(['/_nuxt/a.js', '/favicon.ico'])).toEqual({ kind: 'ignored' })
    })

    it('the MFA exemption holds only if every protected reading has it', () => {
      const policy = policyOf()
      expect(policy.classify(['/mfa-challenge', '/'])).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: true, verifyExempt: true, orgExempt: true })
      expect(policy.classify(['/mfa-challenge', '/secret'])).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
    })
  })
})

describe('compilePolicy: remembered classes', () => {
  it('a path judged again gets the same class, and a flood of distinct paths never changes a verdict', () => {
    const policy = policyOf({ routes: { rules: [{ pattern: '/admin/**', require: { roles: ['admin'] } }] } })
    const admin = classify(policy, '/admin/users')
    expect(classify(policy, '/admin/users')).toEqual(admin)
    for (let i = 0; i < 25_000; i++) expect(policy.classify([`/public-${i}`]).kind).toBe('protected')
    expect(classify(policy, '/admin/users')).toEqual(admin)
    expect(classify(policy, '/')).toEqual({ kind: 'public', api: false })
  })

  it('each saved version classifies by its own lists, never by another version\'s memory', () => {
    const before = policyOf({ routes: { public: ['/', '/sign-in', '/sign-up', '/open'] } })
    const after = policyOf({ routes: { public: ['/', '/sign-in', '/sign-up'] } })
    expect(classify(before, '/open').kind).toBe('public')
    expect(classify(after, '/open').kind).toBe('protected')
    expect(classify(before, '/open').kind).toBe('public')
  })
})

describe('compilePolicy: permissionsFor', () => {
  const policy = policyOf({ roles: {
    admin: ['guard:admin', 'reports:read'],
    member: ['reports:read', 'profile:edit'],
    auditor: ['audit:read'],
  } })

  it('unites the permissions of every role; unknown roles add nothing', () => {
    expect([...policy.permissionsFor(['member', 'auditor'])].sort()).toEqual(['audit:read', 'profile:edit', 'reports:read'])
    expect([...policy.permissionsFor(['admin', 'member'])].sort()).toEqual(['guard:admin', 'profile:edit', 'reports:read'])
    expect([...policy.permissionsFor(['ghost'])]).toEqual([])
    expect([...policy.permissionsFor([])]).toEqual([])
  })

  it('memoises: the same roles give the same Set instance', () => {
    const first = policy.permissionsFor(['member', 'auditor'])
    expect(policy.permissionsFor(['member', 'auditor'])).toBe(first)
    expect(policy.permissionsFor(['auditor'])).not.toBe(first)
  })

  it('is per config version: another policy has its own permissions', () => {
    const other = policyOf({ roles: { member: ['profile:read'] } })
    expect([...other.permissionsFor(['member'])]).toEqual(['profile:read'])
    expect([...policy.permissionsFor(['member'])].sort()).toEqual(['profile:edit', 'reports:read'])
  })
})

describe('auth objects', () => {
  it('signedInAuth exposes the session and answers has()', () => {
    const auth = signedInAuth(claims({ roles: ['admin'] }), new Set(['guard:admin']))
    expect([auth.userId, auth.sessionId, auth.roles]).toEqual(['usr_1', 'ses_1', ['admin']])
    expect(auth.has({ role: 'admin' })).toBe(true)
    expect(auth.has({ role: 'member' })).toBe(false)
    expect(auth.has({ permission: 'guard:admin' })).toBe(true)
    expect(auth.has({ permission: 'reports:read' })).toBe(false)
  })

  it('signedOutAuth has nothing', () => {
    expect([signedOutAuth.userId, signedOutAuth.sessionId, signedOutAuth.sessionClaims]).toEqual([null, null, null])
    expect(signedOutAuth.has({ role: 'admin' })).toBe(false)
    expect(signedOutAuth.has({ permission: 'guard:admin' })).toBe(false)
  })
})

describe('evaluateAccess: identity, roles and permissions', () => {
  const policy = policyOf({
    routes: { rules: [
      { pattern: '/admin/**', require: { roles: ['admin', 'owner'] } },
      { pattern: '/admin/billing/**', require: { permissions: ['billing:read'] } },
      { pattern: '/api/reports/**', require: { permissions: ['reports:read', 'reports:export'] } },
    ] },
    roles: { admin: ['guard:admin'], member: [], analyst: ['reports:read'], billing: ['billing:read'], owner: ['reports:read', 'reports:export'] },
  })

  it('anonymous → 401 unauthenticated, with the matched rules', () => {
    const verdict = judge(policy, '/admin/users', null)
    expect(verdict).toEqual({
      allow: false, status: 401, error: 'unauthenticated', reason: 'not signed in',
      rules: [{ index: 0, pattern: '/admin/**', require: { roles: ['admin', 'owner'] } }],
    })
    expect(outcome(judge(policy, '/dashboard', null))).toEqual({ allow: false, status: 401, error: 'unauthenticated', reason: 'not signed in' })
  })

  it('signed in on a protected path without rules → allow', () => {
    expect(judge(policy, '/dashboard', claims())).toEqual({ allow: true, reason: 'signed in', rules: [] })
  })

  it('roles are any-of', () => {
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['member'] })))).toEqual({
      allow: false, status: 403, error: 'forbidden', reason: 'rule /admin/** needs one of the roles: admin, owner',
    })
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['member', 'owner'] })))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['admin'] })))).toEqual(ALLOWED_BY_RULES)
  })

  it('permissions are all-of, and the reason names the missing ones', () => {
    expect(outcome(judge(policy, '/api/reports/q3', claims({ roles: ['member'] })))).toEqual({
      allow: false, status: 403, error: 'forbidden', reason: 'rule /api/reports/** needs the permissions: reports:read, reports:export',
    })
    expect(outcome(judge(policy, '/api/reports/q3', claims({ roles: ['analyst'] })))).toEqual({
      allow: false, status: 403, error: 'forbidden', reason: 'rule /api/reports/** needs the permission: reports:export',
    })
    expect(outcome(judge(policy, '/api/reports/q3', claims({ roles: ['owner'] })))).toEqual(ALLOWED_BY_RULES)
  })

  it('several matched rules all apply (AND)', () => {
    const adminOnly = judge(policy, '/admin/billing/invoices', claims({ roles: ['admin'] }))
    expect(outcome(adminOnly)).toEqual({
      allow: false, status: 403, error: 'forbidden', reason: 'rule /admin/billing/** needs the permission: billing:read',
    })
    expect(adminOnly.rules.map(rule => rule.index)).toEqual([0, 1])
    const billingOnly = judge(policy, '/admin/billing/invoices', claims({ roles: ['billing'] }))
    expect(outcome(billingOnly)).toMatchObject({ error: 'forbidden', reason: 'rule /admin/** needs one of the roles: admin, owner' })
    expect(outcome(judge(policy, '/admin/billing/invoices', claims({ roles: ['admin', 'billing'] })))).toEqual(ALLOWED_BY_RULES)
  })

  it('requireAuth()\'s extra requirement is added to the rules', () => {
    const extra = { permissions: ['billing:read'] }
    expect(outcome(judge(policy, '/dashboard', claims({ roles: ['member'] }), { extra }))).toEqual({
      allow: false, status: 403, error: 'forbidden', reason: 'requireAuth() needs the permission: billing:read',
    })
    expect(outcome(judge(policy, '/dashboard', claims({ roles: ['billing'] }), { extra }))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['billing'] }), { extra: { roles: ['billing'] } }))).toMatchObject({
      error: 'forbidden', reason: 'rule /admin/** needs one of the roles: admin, owner',
    })
  })
})

import { describe, expect, it } from 'vitest'
import type { GuardConfigInput, MfaRequirement, RouteRequirement } from '../../modules/guard/runtime/core/config/schema'
import { formatConfigIssues, validateConfig } from '../../modules/guard/runtime/core/config/validate'
import { checkMfaRequirements, lastSecondFactorAt } from '../../modules/guard/runtime/core/mfa/requirements'
import { pathReadings } from '../../modules/guard/runtime/core/paths/canonicalize'
import { signedInAuth, signedOutAuth, type SessionClaims } from '../../modules/guard/runtime/core/policy/auth'
import { compilePolicy, type CompiledPolicy, type RouteClass } from '../../modules/guard/runtime/core/policy/compile'
import { evaluateAccess, type Verdict } from '../../modules/guard/runtime/core/policy/decide'

const NOW = 1_700_000_600
/** Ten minutes before NOW. */
const TOTP_AT = 1_700_000_000

function policyOf(input: GuardConfigInput = {}): CompiledPolicy {
  const result = validateConfig(input)
  if (!result.ok) throw new Error(`invalid test config:\n${formatConfigIssues(result.issues)}`)
  return compilePolicy(result.config, 1)
}

/** Classifies a raw request path the way the middleware does: every reading. */
function classify(policy: CompiledPolicy, rawPath: string): RouteClass {
  const readings = pathReadings(rawPath)
  if (!readings.ok) throw new Error(`${rawPath}: ${readings.reason}`)
  return policy.classify(readings.readings)
}

function claims(overrides: Partial<SessionClaims> = {}): SessionClaims {
  return { sub: 'usr_1', sid: 'ses_1', iss: 'https://app.example', iat: NOW - 30, exp: NOW + 30, roles: ['member'], ...overrides }
}

/** Signed in, second factor enrolled but not completed in this session. */
const enrolledOnly = (factors: NonNullable<SessionClaims['mfa']>['e'] = ['totp']) => ({ c: {}, v: false, e: factors })
/** Signed in with TOTP completed ten minutes ago. */
const totpDone = { c: { totp: TOTP_AT }, v: true, e: ['totp' as const] }

interface JudgeOptions { extra?: RouteRequirement; now?: number }

/** Classifies `rawPath`, then judges `sessionClaims` (null = signed out) against it. */
function judge(policy: CompiledPolicy, rawPath: string, sessionClaims: SessionClaims | null, options: JudgeOptions = {}): Verdict {
  const route = classify(policy, rawPath)
  if (route.kind !== 'protected') throw new Error(`${rawPath} is ${route.kind}, not protected`)
  const auth = sessionClaims ? signedInAuth(sessionClaims, policy.permissionsFor(sessionClaims.roles)) : signedOutAuth
  return evaluateAccess(policy, {
    auth, rules: route.rules, mfaExempt: route.mfaExempt, extra: options.extra, nowSeconds: options.now ?? NOW,
  })
}

/** The fields of a verdict that matter to a caller, without the matched rules. */
function outcome(verdict: Verdict) {
  if (verdict.allow) return { allow: true, reason: verdict.reason }
  const { allow, status, error, reason, factors, maxAgeSeconds } = verdict
  return JSON.parse(JSON.stringify({ allow, status, error, reason, factors, maxAgeSeconds })) as Record<string, unknown>
}

const ALLOWED = { allow: true, reason: 'signed in' }
const ALLOWED_BY_RULES = { allow: true, reason: 'signed in and every matched rule is satisfied' }
const NOT_ENROLLED = { allow: false, status: 403, error: 'mfa_enrollment_required', reason: 'second factor required; none enrolled' }

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
    expect(classify(policy, '/')).toMatchObject({ kind: 'protected', rules: [{ index: 0, pattern: '/**' }] })
    expect(classify(policy, '/sign-in')).toMatchObject({ kind: 'protected', rules: [{ index: 0 }] })
  })

  it('the MFA enroll and challenge pages are protected and exempt from the global MFA validators', () => {
    const policy = policyOf({ mfa: { enforce: 'all' } })
    const exempt = { kind: 'protected', api: false, rules: [], mfaExempt: true }
    expect(classify(policy, '/account/manage-mfa/add')).toEqual(exempt)
    expect(classify(policy, '/mfa-challenge')).toEqual(exempt)
    expect(classify(policy, '/mfa-challenge/other')).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: false })
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
      expect(policy.classify(['/mfa-challenge', '/'])).toEqual({ kind: 'protected', api: false, rules: [], mfaExempt: true })
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

describe('evaluateAccess: MFA', () => {
  const adminRule = { pattern: '/admin/**', require: { roles: ['admin'], mfa: true } }

  it('enforce off ignores mfa: true rules', () => {
    const policy = policyOf({ mfa: { enforce: 'off' }, routes: { rules: [adminRule] } })
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['admin'] })))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/admin/users', claims({ roles: ['admin'], mfa: enrolledOnly() })))).toEqual(ALLOWED_BY_RULES)
  })

  describe('enforce all', () => {
    const policy = policyOf({ mfa: { enforce: 'all' } })

    it('no factor enrolled (no mfa claim, or e: []) → 403 mfa_enrollment_required', () => {
      expect(outcome(judge(policy, '/dashboard', claims()))).toEqual(NOT_ENROLLED)
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: { c: {}, v: false, e: [] } })))).toEqual(NOT_ENROLLED)
    })

    it('enrolled but not completed → 403 INVALID_CLAIMS naming the enrolled factors first', () => {
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: enrolledOnly(['webauthn']) })))).toEqual({
        allow: false, status: 403, error: 'INVALID_CLAIMS',
        reason: 'second factor not completed in this session (webauthn or totp)', factors: ['webauthn', 'totp'],
      })
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: enrolledOnly(['totp']) })))).toMatchObject({
        error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'],
      })
    })

    it('unenrolled factors keep the config order after the enrolled ones', () => {
      const policy = policyOf({ mfa: { enforce: 'all', requirements: [{ oneOf: ['totp', 'recovery_code', 'webauthn'] }] } })
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: enrolledOnly(['webauthn']) })))).toMatchObject({
        error: 'INVALID_CLAIMS', factors: ['webauthn', 'totp', 'recovery_code'],
      })
    })

    it('completed per the requirements → allow', () => {
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: totpDone })))).toEqual(ALLOWED)
      const webauthnDone = { c: { webauthn: TOTP_AT }, v: true, e: ['totp' as const, 'webauthn' as const] }
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: webauthnDone })))).toEqual(ALLOWED)
    })

    it('a factor outside the requirements does not satisfy them', () => {
      const recoveryOnly = { c: { recovery_code: TOTP_AT }, v: false, e: ['totp' as const, 'recovery_code' as const] }
      expect(outcome(judge(policy, '/dashboard', claims({ mfa: recoveryOnly })))).toMatchObject({
        error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'],
      })
    })

    it('the 401 for anonymous comes before any MFA verdict', () => {
      expect(outcome(judge(policy, '/dashboard', null))).toMatchObject({ status: 401, error: 'unauthenticated' })
    })
  })

  it('a rule with mfa: false, or requireAuth({ mfa: false }), waives enforce all', () => {
    const policy = policyOf({ mfa: { enforce: 'all' }, routes: { rules: [{ pattern: '/status/**', require: { mfa: false } }] } })
    expect(outcome(judge(policy, '/status/live', claims()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/dashboard', claims(), { extra: { mfa: false } }))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/dashboard', claims()))).toEqual(NOT_ENROLLED)
  })

  it('a rule with mfa: true beats another rule\'s mfa: false (and requireAuth\'s)', () => {
    const policy = policyOf({ mfa: { enforce: 'all' }, routes: { rules: [
      { pattern: '/admin/**', require: { mfa: false } },
      { pattern: '/admin/keys/**', require: { mfa: true } },
    ] } })
    const member = claims({ mfa: enrolledOnly() })
    expect(outcome(judge(policy, '/admin/overview', member))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/admin/keys/1', member))).toMatchObject({ status: 403, error: 'INVALID_CLAIMS' })
    expect(outcome(judge(policy, '/admin/keys/1', member, { extra: { mfa: false } }))).toMatchObject({ status: 403, error: 'INVALID_CLAIMS' })
    expect(outcome(judge(policy, '/admin/keys/1', claims({ mfa: totpDone })))).toEqual(ALLOWED_BY_RULES)
  })

  it('enforce rules applies MFA only where a rule says mfa: true', () => {
    const policy = policyOf({ mfa: { enforce: 'rules' }, routes: { rules: [adminRule, { pattern: '/reports/**', require: { mfa: false } }] } })
    const admin = (mfa?: SessionClaims['mfa']) => claims({ roles: ['admin'], mfa })
    expect(outcome(judge(policy, '/dashboard', admin()))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/reports/q3', admin()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/admin/users', admin()))).toEqual(NOT_ENROLLED)
    expect(outcome(judge(policy, '/admin/users', admin(enrolledOnly())))).toMatchObject({ status: 403, error: 'INVALID_CLAIMS', factors: ['totp', 'webauthn'] })
    expect(outcome(judge(policy, '/admin/users', admin(totpDone)))).toEqual(ALLOWED_BY_RULES)
  })

  it('the enroll and challenge pages skip the global validator', () => {
    const policy = policyOf({ mfa: { enforce: 'all' } })
    expect(outcome(judge(policy, '/mfa-challenge', claims({ mfa: enrolledOnly() })))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/account/manage-mfa/add', claims()))).toEqual(ALLOWED)
    expect(outcome(judge(policy, '/mfa-challenge', null))).toMatchObject({ status: 401, error: 'unauthenticated' })
  })

  it('on the enroll page a matching rule keeps its roles but not its MFA or step-up demands', () => {
    const policy = policyOf({
      mfa: { enforce: 'rules' },
      routes: { rules: [{ pattern: '/account/**', require: { roles: ['member'], mfa: true, stepUp: { maxAgeSeconds: 60 } } }] },
    })
    expect(classify(policy, '/account/manage-mfa/add')).toMatchObject({ kind: 'protected', mfaExempt: true, rules: [{ pattern: '/account/**' }] })
    expect(outcome(judge(policy, '/account/manage-mfa/add', claims()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/account/manage-mfa/add', claims({ roles: ['guest'] })))).toMatchObject({ status: 403, error: 'forbidden' })
    expect(outcome(judge(policy, '/account/settings', claims()))).toEqual(NOT_ENROLLED)
  })

  it('a disabled strategy cannot satisfy a requirement', () => {
    const policy = policyOf({ mfa: { enforce: 'all', strategies: { totp: false } } })
    expect(outcome(judge(policy, '/dashboard', claims({ mfa: totpDone })))).toEqual({
      allow: false, status: 403, error: 'INVALID_CLAIMS',
      reason: 'second factor not completed in this session (webauthn)', factors: ['webauthn'],
    })
  })

  describe('step-up', () => {
    const policy = policyOf({ mfa: { enforce: 'all' }, routes: { rules: [
      { pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 900 } } },
      { pattern: '/billing/payouts/**', require: { stepUp: { maxAgeSeconds: 300 } } },
      { pattern: '/settings/**', require: { stepUp: { maxAgeSeconds: 600 } } },
    ] } })
    const both = { c: { totp: TOTP_AT }, v: true, e: ['totp' as const, 'webauthn' as const] }

    it('a second factor older than the smallest matched maxAgeSeconds → 403 mfa_required', () => {
      const verdict = judge(policy, '/billing/payouts/7', claims({ mfa: both }))
      expect(outcome(verdict)).toEqual({
        allow: false, status: 403, error: 'mfa_required', reason: 'second factor older than 300 s',
        factors: ['totp', 'webauthn'], maxAgeSeconds: 300,
      })
      expect(verdict.rules.map(rule => rule.index)).toEqual([0, 1])
    })

    it('a second factor fresh enough → allow', () => {
      expect(outcome(judge(policy, '/billing/invoices', claims({ mfa: both })))).toEqual(ALLOWED_BY_RULES)
    })

    it('exactly maxAgeSeconds old is still fresh; one second more is not', () => {
      expect(outcome(judge(policy, '/settings/keys', claims({ mfa: both }), { now: TOTP_AT + 600 }))).toEqual(ALLOWED_BY_RULES)
      expect(outcome(judge(policy, '/settings/keys', claims({ mfa: both }), { now: TOTP_AT + 601 }))).toMatchObject({
        error: 'mfa_required', maxAgeSeconds: 600,
      })
    })

    it('the most recent completion counts', () => {
      const later = { c: { totp: TOTP_AT, webauthn: NOW - 60 }, v: true, e: ['totp' as const, 'webauthn' as const] }
      expect(outcome(judge(policy, '/billing/payouts/7', claims({ mfa: later })))).toEqual(ALLOWED_BY_RULES)
    })

    it('applies under enforce rules without mfa: true; never completed → mfa_required, none enrolled → enrollment', () => {
      const rulesOnly = policyOf({ mfa: { enforce: 'rules' }, routes: { rules: [
        { pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 300 } } },
      ] } })
      expect(outcome(judge(rulesOnly, '/billing/x', claims({ mfa: enrolledOnly() })))).toEqual({
        allow: false, status: 403, error: 'mfa_required', reason: 'second factor older than 300 s', factors: ['totp'], maxAgeSeconds: 300,
      })
      expect(outcome(judge(rulesOnly, '/billing/x', claims()))).toEqual(NOT_ENROLLED)
      expect(outcome(judge(rulesOnly, '/billing/x', claims({ mfa: totpDone }), { now: TOTP_AT + 120 }))).toEqual(ALLOWED_BY_RULES)
    })

    it('mfa_required lists only enrolled factors whose strategy is on', () => {
      const enrolled = { c: { totp: TOTP_AT }, v: true, e: ['totp' as const, 'email_code' as const] }
      expect(outcome(judge(policy, '/billing/payouts/7', claims({ mfa: enrolled })))).toMatchObject({
        error: 'mfa_required', factors: ['totp'], maxAgeSeconds: 300,
      })
    })

    it('a recent completion of a disabled strategy does not refresh step-up', () => {
      // email_code is off by default; TOTP was completed an hour ago.
      const rulesOnly = policyOf({ mfa: { enforce: 'rules' }, routes: { rules: [
        { pattern: '/billing/**', require: { stepUp: { maxAgeSeconds: 300 } } },
      ] } })
      const stale = { c: { totp: NOW - 3_600, email_code: NOW - 10 }, v: true, e: ['totp' as const, 'email_code' as const] }
      expect(outcome(judge(rulesOnly, '/billing/x', claims({ mfa: stale })))).toEqual({
        allow: false, status: 403, error: 'mfa_required', reason: 'second factor older than 300 s', factors: ['totp'], maxAgeSeconds: 300,
      })
    })
  })
})

describe('checkMfaRequirements', () => {
  const allOn = { totp: true, recovery_code: true, email_code: true, webauthn: true }
  const check = (requirements: MfaRequirement[], completed: Record<string, number>, enabled = allOn) =>
    checkMfaRequirements(requirements, completed, enabled)

  it('a factor id needs that factor', () => {
    expect(check(['totp'], { totp: TOTP_AT })).toEqual({ satisfied: true, next: [] })
    expect(check(['totp'], { webauthn: TOTP_AT })).toEqual({ satisfied: false, next: ['totp'] })
  })

  it('oneOf needs any listed factor', () => {
    expect(check([{ oneOf: ['totp', 'webauthn'] }], { webauthn: TOTP_AT })).toEqual({ satisfied: true, next: [] })
    expect(check([{ oneOf: ['totp', 'webauthn'] }], { recovery_code: TOTP_AT })).toEqual({ satisfied: false, next: ['totp', 'webauthn'] })
  })

  it('allOfInAnyOrder needs every listed factor, and next lists only the missing ones', () => {
    const requirement: MfaRequirement = { allOfInAnyOrder: ['totp', 'email_code', 'webauthn'] }
    expect(check([requirement], { email_code: 2, totp: 1, webauthn: 3 })).toEqual({ satisfied: true, next: [] })
    expect(check([requirement], { email_code: 2 })).toEqual({ satisfied: false, next: ['totp', 'webauthn'] })
  })

  it('several entries are AND-ed; next covers only the first unmet one', () => {
    const requirements: MfaRequirement[] = ['totp', { oneOf: ['email_code', 'webauthn'] }]
    expect(check(requirements, {})).toEqual({ satisfied: false, next: ['totp'] })
    expect(check(requirements, { totp: 1 })).toEqual({ satisfied: false, next: ['email_code', 'webauthn'] })
    expect(check(requirements, { webauthn: 1 })).toEqual({ satisfied: false, next: ['totp'] })
    expect(check(requirements, { totp: 1, webauthn: 2 })).toEqual({ satisfied: true, next: [] })
  })

  it('no requirements are always satisfied', () => {
    expect(check([], {})).toEqual({ satisfied: true, next: [] })
  })

  it('a disabled strategy neither satisfies nor is offered', () => {
    const totpOff = { ...allOn, totp: false }
    expect(check(['totp'], { totp: 1 }, totpOff)).toEqual({ satisfied: false, next: [] })
    expect(check([{ oneOf: ['totp', 'webauthn'] }], { totp: 1 }, totpOff)).toEqual({ satisfied: false, next: ['webauthn'] })
  })
})

describe('lastSecondFactorAt', () => {
  it('is the most recent completion time, or undefined', () => {
    expect(lastSecondFactorAt({ totp: 100, email_code: 250, webauthn: 200 })).toBe(250)
    expect(lastSecondFactorAt({})).toBe(undefined)
  })
})

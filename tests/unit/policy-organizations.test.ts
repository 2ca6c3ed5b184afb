/**
 * Organizations in the policy (issue 14.2–14.3), decided from the token
 * alone: has() with org: names, rules needing an active organization, org
 * roles and org permissions (all of and any of, Clerk's
 * `has({ permission: a }) || has({ permission: b })`), the selection page
 * exempt, the redirect with its return path, API 403 organization_required,
 * a token for organization A on B's rules, the simulator's explanation and
 * the safety checks.
 */
import { describe, expect, it } from 'vitest'
import { checkConfigSafety } from '../../modules/guard/runtime/core/admin/safety'
import { simulateRequest } from '../../modules/guard/runtime/core/admin/simulate'
import { validateConfig } from '../../modules/guard/runtime/core/config/validate'
import { signedInAuth, signedOutAuth, type SessionClaims } from '../../modules/guard/runtime/core/policy/auth'
import { denialBody, denialRedirect, type Denial } from '../../modules/guard/runtime/core/policy/denial'
import { evaluateAccess } from '../../modules/guard/runtime/core/policy/decide'
import { permissionSet } from '../../modules/guard/runtime/core/policy/requirement'
import { assertKnownRoles } from '../../modules/guard/runtime/core/people/roles'
import { ALLOWED, ALLOWED_BY_RULES, NOW, claims, classify, judge, outcome, policyOf } from '../support/policy'

const MANAGE = 'org:sys_memberships:manage'
const DOMAINS = 'org:sys_domains:manage'
const ROLES = {
  'org:admin': ['org:sys_profile:manage', 'org:sys_profile:delete', 'org:sys_memberships:read', MANAGE],
  'org:member': ['org:sys_memberships:read'],
  'org:members_manager': [MANAGE],
  'org:domains_manager': [DOMAINS],
}
/**
 * The seed's two examples: Clerk's afterAuth (a signed-in user without an active organization goes
 * to the selection page; here every page of the app under `/**`, which rules out public pages: a rule
 * beats the public list) and the admin area (either permission).
 */
const SEED_RULES = [
  { pattern: '/orgs/admin/**', require: { permissions: { anyOf: [MANAGE, DOMAINS] } } },
  { pattern: '/api/orgs/admin/**', require: { orgPermissions: { anyOf: [MANAGE, DOMAINS] } } },
  { pattern: '/**', require: { organization: true as const } },
]
const policy = policyOf({ organizations: { enabled: true, roles: ROLES }, routes: { rules: SEED_RULES } })
/** The same with the organization rule on the app's own area only: the public list stays public. */
const scoped = policyOf({ organizations: { enabled: true, roles: ROLES }, routes: { public: ['/', '/sign-in', '/sign-up', '/public/**'], rules: [
  ...SEED_RULES.slice(0, 2), { pattern: '/orgs/**', require: { organization: true as const } }, { pattern: '/org-selection', require: { organization: true as const } },
] } })

/** A member's token with an active organization, as the mint writes it. */
const inOrg = (role: string, org = { id: 'org_a', slug: 'acme' }, more: Partial<SessionClaims> = {}) =>
  claims({ org_id: org.id, org_slug: org.slug, org_role: role, org_permissions: ROLES[role as keyof typeof ROLES] ?? [], ...more })
const noOrg = claims()
const NEEDS_ORG = { allow: false, status: 403, error: 'organization_required', reason: 'rule /** needs an active organization' }

describe('has() with organization names', () => {
  it('org: roles and permissions are answered from the active organization, the others from the user', () => {
    const auth = signedInAuth(inOrg('org:members_manager', undefined, { roles: ['admin'] }), new Set(['reports:read']))
    expect([auth.orgId, auth.orgSlug, auth.orgRole, auth.orgPermissions]).toEqual(['org_a', 'acme', 'org:members_manager', [MANAGE]])
    expect(auth.has({ permission: MANAGE })).toBe(true)
    expect(auth.has({ permission: DOMAINS })).toBe(false)
    expect(auth.has({ role: 'org:members_manager' })).toBe(true)
    expect(auth.has({ role: 'org:admin' })).toBe(false)
    expect(auth.has({ role: 'admin' })).toBe(true)
    expect(auth.has({ permission: 'reports:read' })).toBe(true)
  })

  it('without an active organization every org: check is false, even for a site role or permission that happens to be named org:…', () => {
    const auth = signedInAuth(claims({ roles: ['org:admin'] }), new Set([MANAGE]))
    expect([auth.orgId, auth.orgSlug, auth.orgRole, auth.orgPermissions]).toEqual([null, null, null, []])
    expect(auth.has({ role: 'org:admin' })).toBe(false)
    expect(auth.has({ permission: MANAGE })).toBe(false)
    expect(signedOutAuth.has({ permission: MANAGE })).toBe(false)
    expect(signedOutAuth.orgId).toBeNull()
  })

  it('a token with a half-written organization (no role) has none', () => {
    const auth = signedInAuth(claims({ org_id: 'org_a', org_permissions: [MANAGE] }), new Set())
    expect(auth.orgId).toBeNull()
    expect(auth.has({ permission: MANAGE })).toBe(false)
  })
})

describe('rules needing an active organization (Clerk\'s afterAuth example)', () => {
  it('a signed-in user without one is refused with organization_required; with one, let through', () => {
    expect(outcome(judge(policy, '/dashboard', noOrg))).toEqual(NEEDS_ORG)
    expect(outcome(judge(policy, '/dashboard', inOrg('org:member')))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/dashboard', null))).toMatchObject({ status: 401, error: 'unauthenticated' })
  })

  it('a page goes to organizations.orgSelectionUrl with the return path; the API gets 403 with its own code', () => {
    const verdict = judge(policy, '/dashboard?tab=2', noOrg) as Denial
    expect(denialRedirect(verdict, policy, '/dashboard?tab=2')).toBe('/org-selection?redirect_url=%2Fdashboard%3Ftab%3D2')
    expect(denialBody(verdict)).toEqual({ error: 'organization_required', error_description: 'Choose one of your organizations (or create one) to continue: this needs an active organization. (rule /** needs an active organization)' })
    const moved = policyOf({ organizations: { enabled: true, orgSelectionUrl: '/teams/pick' }, routes: { rules: [{ pattern: '/**', require: { organization: true } }] } })
    expect(denialRedirect(judge(moved, '/x', noOrg) as Denial, moved, '/x')).toBe('/teams/pick?redirect_url=%2Fx')
  })

  it('no redirect on the selection page itself, nor on the invitation page, the MFA and verify pages; public routes are untouched', () => {
    for (const path of ['/org-selection', '/org-invitation', '/account/manage-mfa/add', '/mfa-challenge', '/verify-email']) {
      expect(classify(policy, path), path).toMatchObject({ kind: 'protected', orgExempt: true })
      expect(judge(policy, path, noOrg).allow, path).toBe(true)
    }
    expect(classify(policy, '/org-selection')).toMatchObject({ mfaExempt: false, rules: [{ pattern: '/**' }] })
    for (const path of ['/', '/public/docs', '/sign-in']) expect(classify(scoped, path).kind, path).toBe('public')
    expect(outcome(judge(scoped, '/orgs/x', noOrg))).toMatchObject({ error: 'organization_required' })
    // A rule naming the selection page itself does not catch it either.
    expect(judge(scoped, '/org-selection', noOrg).allow).toBe(true)
    // Every reading must be the selection page: a path that also reads as another page is judged as that one.
    expect(outcome(judge(policy, '/org-selection/../dashboard', noOrg))).toEqual(NEEDS_ORG)
    expect(outcome(judge(policy, '/org-selection/other', noOrg))).toEqual(NEEDS_ORG)
  })

  it('the selection page keeps its rules\' other demands (a site role), and asks for the second factor first', () => {
    const staff = policyOf({ organizations: { enabled: true }, routes: { rules: [{ pattern: '/**', require: { roles: ['staff'], organization: true } }] } })
    expect(outcome(judge(staff, '/org-selection', noOrg))).toMatchObject({ error: 'forbidden', reason: 'rule /** needs one of the roles: staff' })
    const mfa = policyOf({ organizations: { enabled: true }, mfa: { enforce: 'all' }, routes: { rules: [{ pattern: '/**', require: { organization: true } }] } })
    expect(outcome(judge(mfa, '/org-selection', noOrg))).toMatchObject({ error: 'mfa_enrollment_required' })
  })

  it('the organization comes after the address and the second factor (a session task, as Clerk\'s); a missing role before all of them', () => {
    const all = policyOf({ organizations: { enabled: true }, mfa: { enforce: 'all' }, account: { emailVerification: 'required' }, routes: { rules: [
      { pattern: '/admin/**', require: { roles: ['admin'] } },
      { pattern: '/**', require: { organization: true } },
    ] } })
    expect(outcome(judge(all, '/x', noOrg))).toMatchObject({ error: 'email_verification_required' })
    expect(outcome(judge(all, '/x', claims({ email_verified: true })))).toMatchObject({ error: 'mfa_enrollment_required' })
    const done = claims({ email_verified: true, mfa: { c: { totp: NOW - 60 }, v: true, e: ['totp'] } })
    expect(outcome(judge(all, '/x', done))).toMatchObject({ error: 'organization_required' })
    expect(outcome(judge(all, '/admin/x', done))).toMatchObject({ error: 'forbidden' })
  })

  it('with organizations switched off nobody can choose one: such a rule refuses as forbidden and says why', () => {
    const off = policyOf({ routes: { rules: [{ pattern: '/**', require: { organization: true } }] } })
    expect(outcome(judge(off, '/x', noOrg))).toEqual({ allow: false, status: 403, error: 'forbidden', reason: 'rule /** needs an active organization (organizations are switched off: organizations.enabled)' })
  })
})

describe('org roles and permissions, all of and any of (the seed\'s admin area)', () => {
  it('either permission alone passes the any-of rule; neither is refused, naming both; no organization asks to choose one', () => {
    expect(outcome(judge(policy, '/orgs/admin/members', inOrg('org:members_manager')))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/orgs/admin/members', inOrg('org:domains_manager')))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/orgs/admin/members', inOrg('org:admin')))).toEqual(ALLOWED_BY_RULES)
    const neither = { allow: false, status: 403, error: 'forbidden', reason: `rule /orgs/admin/** needs one of the permissions: ${MANAGE}, ${DOMAINS}` }
    expect(outcome(judge(policy, '/orgs/admin/members', inOrg('org:member')))).toEqual(neither)
    expect(outcome(judge(policy, '/api/orgs/admin/x', inOrg('org:member')))).toMatchObject({ error: 'forbidden', reason: `rule /api/orgs/admin/** needs one of the permissions: ${MANAGE}, ${DOMAINS}` })
    expect(outcome(judge(policy, '/orgs/admin/members', noOrg))).toEqual({ ...NEEDS_ORG, reason: `rule /orgs/admin/** needs an active organization (one of the permissions: ${MANAGE}, ${DOMAINS})` })
  })

  it('a list keeps meaning every one (existing configs judge as before); { allOf } is the same; an org: permission in it is the active organization\'s', () => {
    const every = policyOf({ organizations: { enabled: true, roles: ROLES }, roles: { admin: ['guard:admin', 'reports:read'], member: [] }, routes: { rules: [
      { pattern: '/list/**', require: { permissions: ['reports:read', MANAGE] } },
      { pattern: '/all/**', require: { orgPermissions: { allOf: [MANAGE, DOMAINS] } } },
      { pattern: '/plain/**', require: { permissions: ['reports:read'] } },
    ] } })
    const admin = (role: string) => inOrg(role, undefined, { roles: ['admin'] })
    expect(outcome(judge(every, '/list/x', admin('org:members_manager')))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(every, '/list/x', inOrg('org:members_manager')))).toMatchObject({ error: 'forbidden', reason: 'rule /list/** needs the permission: reports:read' })
    expect(outcome(judge(every, '/list/x', admin('org:member')))).toMatchObject({ error: 'forbidden', reason: `rule /list/** needs the permission: ${MANAGE}` })
    // Only the organization's part missing and no organization: choosing one may give it.
    expect(outcome(judge(every, '/list/x', claims({ roles: ['admin'] })))).toMatchObject({ error: 'organization_required' })
    expect(outcome(judge(every, '/all/x', admin('org:members_manager')))).toMatchObject({ error: 'forbidden', reason: `rule /all/** needs the permission: ${DOMAINS}` })
    expect(outcome(judge(every, '/plain/x', claims({ roles: ['admin'] })))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(every, '/plain/x', claims()))).toMatchObject({ error: 'forbidden', reason: 'rule /plain/** needs the permission: reports:read' })
  })

  it('plain permissions can be any of too; org roles are any of', () => {
    const rules = policyOf({ organizations: { enabled: true, roles: ROLES }, roles: { admin: ['guard:admin'], editor: ['posts:edit'], member: [] }, routes: { rules: [
      { pattern: '/posts/**', require: { permissions: { anyOf: ['guard:admin', 'posts:edit'] } } },
      { pattern: '/billing/**', require: { orgRoles: ['org:admin', 'org:domains_manager'] } },
      { pattern: '/mixed/**', require: { roles: ['admin', 'org:admin'] } },
    ] } })
    expect(judge(rules, '/posts/1', claims({ roles: ['editor'] })).allow).toBe(true)
    expect(outcome(judge(rules, '/posts/1', claims()))).toMatchObject({ error: 'forbidden', reason: 'rule /posts/** needs one of the permissions: guard:admin, posts:edit' })
    expect(judge(rules, '/billing/x', inOrg('org:domains_manager')).allow).toBe(true)
    expect(outcome(judge(rules, '/billing/x', inOrg('org:member')))).toMatchObject({ error: 'forbidden', reason: 'rule /billing/** needs one of the roles: org:admin, org:domains_manager' })
    expect(outcome(judge(rules, '/billing/x', noOrg))).toMatchObject({ error: 'organization_required', reason: 'rule /billing/** needs an active organization (one of the roles: org:admin, org:domains_manager)' })
    expect(judge(rules, '/mixed/x', claims({ roles: ['admin'] })).allow).toBe(true)
    expect(judge(rules, '/mixed/x', inOrg('org:admin')).allow).toBe(true)
    // A site role literally named org:admin is not the organization role.
    expect(outcome(judge(rules, '/mixed/x', claims({ roles: ['org:admin'] })))).toMatchObject({ error: 'organization_required' })
  })

  it('a token for organization A does not satisfy B: the permissions are those of the role in the active organization only', () => {
    // Admin of A, plain member of B: with B active the token carries B's role.
    const inB = inOrg('org:member', { id: 'org_b', slug: 'beta' })
    expect(outcome(judge(policy, '/orgs/admin/x', inB))).toMatchObject({ error: 'forbidden' })
    // Claims forged beside the role (permissions the role does not have) are what the token says: tokens are signed, so only a mint writes them.
    expect(signedInAuth(inB, new Set()).has({ permission: MANAGE })).toBe(false)
  })

  it('requireAuth()\'s own requirement takes the same shapes', () => {
    const plain = policyOf({ organizations: { enabled: true, roles: ROLES } })
    const auth = signedInAuth(inOrg('org:domains_manager'), new Set())
    const check = (extra: object, who = auth) => outcome(evaluateAccess(plain, { auth: who, rules: [], extra, nowSeconds: NOW }))
    expect(check({ orgPermissions: { anyOf: [MANAGE, DOMAINS] } })).toEqual(ALLOWED)
    expect(check({ orgPermissions: [MANAGE] })).toMatchObject({ error: 'forbidden', reason: `requireAuth() needs the permission: ${MANAGE}` })
    expect(check({ organization: true }, signedInAuth(noOrg, new Set()))).toMatchObject({ error: 'organization_required', reason: 'requireAuth() needs an active organization' })
  })
})

describe('the requirement\'s shape is validated', () => {
  const issues = (require: unknown) => {
    const result = validateConfig({ routes: { rules: [{ pattern: '/x/**', require }] } })
    return result.ok ? [] : result.issues
  }

  it('accepts a list, { allOf } and { anyOf } for plain and organization permissions', () => {
    for (const require of [{ permissions: ['a:b'] }, { permissions: { allOf: ['a:b'] } }, { permissions: { anyOf: ['a:b', MANAGE] } }, { orgPermissions: { anyOf: [MANAGE, DOMAINS] } }, { orgRoles: ['org:admin'], organization: true }]) {
      expect(issues(require), JSON.stringify(require)).toEqual([])
    }
    expect(permissionSet(['a'])).toEqual({ match: 'every', names: ['a'] })
    expect(permissionSet({ anyOf: ['a', 'b'] })).toEqual({ match: 'some', names: ['a', 'b'] })
  })

  it('refuses empty sets, both keys at once, org names that are not org:<feature>:<action> (guessing the intended one), and site names in the org fields', () => {
    expect(issues({ permissions: { anyOf: [] } })[0]).toMatchObject({ path: 'routes.rules.0.require.permissions.anyOf' })
    expect(issues({ permissions: { anyOf: ['a'], allOf: ['b'] } })[0]!.path).toMatch(/^routes\.rules\.0\.require\.permissions/)
    expect(issues({ permissions: { anyOf: [MANAGE, 'org:sys_domains_manage'] } })).toEqual([{ path: 'routes.rules.0.require.permissions.anyOf.1', message: 'organization permissions are named org:<feature>:<action> in lower case; did you mean org:sys_domains:manage?' }])
    expect(issues({ orgPermissions: ['reports:read'] })[0]).toMatchObject({ path: 'routes.rules.0.require.orgPermissions.0' })
    expect(issues({ orgRoles: ['admin'] })[0]).toMatchObject({ path: 'routes.rules.0.require.orgRoles.0' })
    expect(issues({ roles: ['org:Admin'] })[0]).toMatchObject({ path: 'routes.rules.0.require.roles.0' })
    expect(issues({ organization: false })[0]).toMatchObject({ path: 'routes.rules.0.require.organization' })
  })

  it('an org: role named by a rule is not a site role an admin can give a user', () => {
    const rules = policyOf({ organizations: { enabled: true }, routes: { rules: [{ pattern: '/x/**', require: { roles: ['org:admin', 'editor'] } }] } })
    expect(() => assertKnownRoles(rules, ['editor'])).not.toThrow()
    expect(() => assertKnownRoles(rules, ['org:admin'])).toThrow(/unknown role "org:admin"/)
  })

  it('a role may hold Clerk\'s org:sys_domains:manage (the guard has no domains of its own to check it with)', () => {
    expect(validateConfig({ organizations: { roles: ROLES } }).ok).toBe(true)
    expect(validateConfig({ organizations: { roles: { ...ROLES, 'org:x': ['org:sys_billing:manage'] } } }).ok).toBe(false)
  })
})

describe('the simulator and the safety checks', () => {
  const user = { userId: 'user_1', roles: ['member'], enrolled: [] }

  it('the simulator judges with the chosen organization and says which; without one it names the page it sends to', () => {
    const none = simulateRequest(policy, { method: 'GET', path: '/orgs/admin/x', user }, { nowSeconds: NOW })
    expect(none).toMatchObject({ allow: false, status: 302, error: 'organization_required', redirect: '/org-selection?redirect_url=%2Forgs%2Fadmin%2Fx', organization: null })
    expect(none.reason).toBe(`rule /orgs/admin/** needs an active organization (one of the permissions: ${MANAGE}, ${DOMAINS})`)
    const manager = simulateRequest(policy, { method: 'GET', path: '/orgs/admin/x', user: { ...user, organization: { id: 'org_a', slug: 'acme', role: 'org:members_manager' } } }, { nowSeconds: NOW })
    expect(manager).toMatchObject({ allow: true, status: 200, organization: { id: 'org_a', slug: 'acme', role: 'org:members_manager', permissions: [MANAGE] } })
    const member = simulateRequest(policy, { method: 'GET', path: '/api/orgs/admin/x', user: { ...user, organization: { id: 'org_a', slug: 'acme', role: 'org:member' } } }, { nowSeconds: NOW })
    expect(member).toMatchObject({ allow: false, status: 403, error: 'forbidden' })
    const page = simulateRequest(policy, { method: 'GET', path: '/org-selection', user }, { nowSeconds: NOW })
    expect(page).toMatchObject({ allow: true, reason: `${ALLOWED_BY_RULES.reason} (organization page: organization requirements do not apply)` })
  })

  it('with organizations off the simulated organization is ignored, as at mint time', () => {
    const off = policyOf({ roles: { admin: ['guard:admin'], member: [] } })
    expect(simulateRequest(off, { method: 'GET', path: '/x', user: { ...user, organization: { id: 'org_a', slug: 'acme', role: 'org:admin' } } }, { nowSeconds: NOW }).organization).toBeNull()
  })

  it('refuses a rule needing an organization while organizations are off', () => {
    const off = policyOf({ routes: { rules: [{ pattern: '/teams/**', require: { orgRoles: ['org:admin'] } }] } })
    expect(checkConfigSafety(off, NOW)).toEqual([{ path: 'routes.rules.0.require', message: expect.stringContaining('rule /teams/** needs an active organization, but organizations are switched off (organizations.enabled)') }])
  })

  it('refuses a selection page closed to a member without an organization, or shared with another built-in page', () => {
    const closed = policyOf({ organizations: { enabled: true }, routes: { rules: [{ pattern: '/**', require: { organization: true } }, { pattern: '/org-selection', require: { roles: ['staff'] } }] } })
    expect(checkConfigSafety(closed, NOW)).toEqual([{ path: 'routes.rules.1.require.roles', message: expect.stringContaining('the organization selection page /org-selection would be closed to a signed-in member without an organization') }])
    const shared = policyOf({ organizations: { enabled: true, orgSelectionUrl: '/verify-email' }, routes: { rules: [{ pattern: '/**', require: { organization: true } }] } })
    expect(checkConfigSafety(shared, NOW)[0]).toMatchObject({ path: 'organizations.orgSelectionUrl' })
  })

  it('accepts the seed\'s examples: every page needing an organization (the console too: an admin creates one) and the admin area', () => {
    expect(checkConfigSafety(policy, NOW)).toEqual([])
  })
})

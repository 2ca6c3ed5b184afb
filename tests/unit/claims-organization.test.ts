/**
 * The active organization in the session token (issue 14.2): Clerk's
 * org_id, org_slug, org_role, org_permissions set at mint from the session's
 * organization (read with the session), reserved from the claims template,
 * and the template's {{org.id}}, {{org.slug}}, {{org.role}},
 * {{org.public_metadata.*}} — null without an active organization, as
 * user.public_metadata.* is for a missing key. A config change of the
 * organization roles or of organizations.enabled re-mints.
 */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RESERVED_CLAIMS, checkClaimsTemplate, renderClaims } from '../../modules/guard/runtime/core/claims/template'
import { isKnownShortcode, resolveShortcode, type ClaimsUser } from '../../modules/guard/runtime/core/claims/shortcodes'
import { createOrganization } from '../../modules/guard/runtime/core/organizations/organizations'
import { setActiveOrganization } from '../../modules/guard/runtime/core/organizations/active'
import { findLiveSession } from '../../modules/guard/runtime/core/store/sessions'
import { findUserById } from '../../modules/guard/runtime/core/store/users'
import { updateOrganization } from '../../modules/guard/runtime/core/store/organizations'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

const user = (org: ClaimsUser['org'] = null): ClaimsUser => ({
  id: 'usr_1', email: 'a@b.c', email_verified: true, created_at: 1, roles: ['member'], permissions: [], two_factor_enabled: false,
  public_metadata: { plan: 'free' }, org,
})
const ACME = { id: 'org_1', slug: 'acme', role: 'org:admin', public_metadata: { plan: 'pro', limits: { seats: 5 } } }

describe('the template', () => {
  it('the four organization claims are reserved: a template cannot set (or shadow) them', () => {
    for (const claim of ['org_id', 'org_slug', 'org_role', 'org_permissions']) {
      expect(RESERVED_CLAIMS).toContain(claim)
      expect(checkClaimsTemplate({ [claim]: 'org_forged' })).toEqual([{ path: `claims.template.${claim}`, message: expect.stringMatching(new RegExp(`^\`${claim}\` is reserved: nuxt-guard sets it from the session's active organization`)) }])
      expect(renderClaims({ [claim]: 'org_forged', ok: 1 }, user(ACME))).toEqual({ ok: 1 })
    }
    // Nested, the names are the app's own.
    expect(checkClaimsTemplate({ team: { org_role: '{{org.role}}' } })).toEqual([])
  })

  it('{{org.*}} render the active organization, keeping types; nested metadata; missing keys null', () => {
    const template = { orgId: '{{org.id}}', team: '{{org.slug}}', role: '{{org.role}}', plan: '{{org.public_metadata.plan}}', seats: '{{org.public_metadata.limits.seats}}', missing: '{{org.public_metadata.nope}}', meta: '{{org.public_metadata}}', label: '{{org.slug}}/{{org.role}}' }
    expect(checkClaimsTemplate(template)).toEqual([])
    expect(renderClaims(template, user(ACME))).toEqual({ orgId: 'org_1', team: 'acme', role: 'org:admin', plan: 'pro', seats: 5, missing: null, meta: { plan: 'pro', limits: { seats: 5 } }, label: 'acme/org:admin' })
  })

  it('without an active organization every {{org.*}} is null (and empty in text); the user\'s own metadata is not read in its place', () => {
    const template = { orgId: '{{org.id}}', team: '{{org.slug}}', role: '{{org.role}}', plan: '{{org.public_metadata.plan}}', meta: '{{org.public_metadata}}', label: 'team:{{org.slug}}' }
    const expected = { orgId: null, team: null, role: null, plan: null, meta: null, label: 'team:' }
    expect(renderClaims(template, user(null))).toEqual(expected)
    expect(renderClaims(template, { ...user(), org: undefined })).toEqual(expected)
  })

  it('org metadata paths refuse the prototype keys, like the user\'s', () => {
    expect(isKnownShortcode('org.public_metadata.__proto__')).toBe(false)
    expect(resolveShortcode('org.public_metadata.constructor', user(ACME))).toEqual({ known: false })
    expect(resolveShortcode('org.public_metadata.toString', user(ACME))).toEqual({ known: true, value: null })
  })
})

describe('the mint', () => {
  let engine: MfaEngine
  beforeAll(async () => {
    engine = await startMfaEngine({ organizations: { enabled: true, roles: { 'org:admin': ['org:sys_memberships:manage', 'org:sys_memberships:read'], 'org:member': [] } }, claims: { template: { team: '{{org.slug}}', plan: '{{org.public_metadata.plan}}' } } })
    await newUser(engine, 'site-admin')
  }, 60_000)
  afterAll(async () => { await engine?.close() })

  /** A token minted for the session now (as a refresh would). */
  async function mintFor(sessionId: string) {
    const session = (await findLiveSession(engine.guard.db, sessionId, engine.guard.mfa.nowDate()))!
    const record = (await findUserById(engine.guard.db, session.userId))!
    return decodeJwt((await engine.guard.sessions.mint(session, record)).token)
  }

  it('no active organization: none of the four claims', async () => {
    const ada = await newUser(engine, 'ada')
    const claims = await mintFor(ada.sessionId)
    for (const claim of ['org_id', 'org_slug', 'org_role', 'org_permissions']) expect(claims, claim).not.toHaveProperty(claim)
    expect(claims).toMatchObject({ team: null, plan: null })
    expect(decodeJwt(ada.issued.token)).not.toHaveProperty('org_id')
  })

  it('an active organization: Clerk\'s claims with the role\'s permissions from the live config, and the template\'s org.*', async () => {
    const ada = await newUser(engine, 'ada')
    const org = await createOrganization(engine.guard, { userId: ada.userId }, { name: 'Acme', slug: `acme-${ada.userId.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}` })
    await updateOrganization(engine.guard.db, org.id, { publicMetadata: { plan: 'pro' } }, engine.guard.mfa.nowDate())
    await setActiveOrganization(engine.guard, { userId: ada.userId }, ada.sessionId, org.id)
    const session = await findLiveSession(engine.guard.db, ada.sessionId, engine.guard.mfa.nowDate())
    expect(session?.activeOrg).toEqual({ id: org.id, slug: org.slug, role: 'org:admin', publicMetadata: { plan: 'pro' } })
    expect(await mintFor(ada.sessionId)).toMatchObject({ org_id: org.id, org_slug: org.slug, org_role: 'org:admin', org_permissions: ['org:sys_memberships:manage', 'org:sys_memberships:read'], team: org.slug, plan: 'pro' })
    // The refresh path reads it in the same statement as the session and user.
    const refreshed = await engine.guard.sessions.refresh(ada.issued.refreshToken)
    expect(refreshed?.claims).toMatchObject({ org_id: org.id, org_role: 'org:admin' })

    // A save that changes the organization roles makes older tokens stale; the next mint carries the new permissions.
    const live = engine.guard.live
    const before = refreshed!.claims
    await live.save({ ...live.policy.config, organizations: { ...live.policy.config.organizations, roles: { ...live.policy.config.organizations.roles, 'org:admin': ['org:sys_memberships:manage'] } } }, { expectedVersion: live.policy.version })
    expect(engine.guard.authenticator.epochs.isStale(before)).toBe(true)
    expect(await mintFor(ada.sessionId)).toMatchObject({ org_permissions: ['org:sys_memberships:manage'] })

    // Switched off: tokens carry no organization (and are stale once more), the session keeps its choice for later.
    await live.save({ ...live.policy.config, organizations: { ...live.policy.config.organizations, enabled: false } }, { expectedVersion: live.policy.version })
    const off = await mintFor(ada.sessionId)
    expect(off).not.toHaveProperty('org_id')
    expect(off).toMatchObject({ team: null })
    await live.save({ ...live.policy.config, organizations: { ...live.policy.config.organizations, enabled: true } }, { expectedVersion: live.policy.version })
    expect(await mintFor(ada.sessionId)).toMatchObject({ org_id: org.id })
  })
})

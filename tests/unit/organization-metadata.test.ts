/**
 * An organization's public metadata (what `{{org.public_metadata.*}}` reads),
 * set by a console operator, and the claims-size check that knows about
 * organizations: a template, a user's metadata or an organization's
 * metadata that would make some member's token too large WITH AN
 * ORGANIZATION ACTIVE is refused where it is saved (422, naming the claim,
 * the member and the organization), not discovered at a sign-in.
 */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OrgActor } from '../../modules/guard/runtime/core/organizations/access'
import { setActiveOrganization } from '../../modules/guard/runtime/core/organizations/active'
import { setOrganizationMetadata } from '../../modules/guard/runtime/core/organizations/metadata'
import { createOrganization } from '../../modules/guard/runtime/core/organizations/organizations'
import { userClaimsOverflow } from '../../modules/guard/runtime/core/engine/claims-limit'
import { findOrganization } from '../../modules/guard/runtime/core/store/organizations'
import { findLiveSession } from '../../modules/guard/runtime/core/store/sessions'
import { findUserById } from '../../modules/guard/runtime/core/store/users'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

describe('organization public metadata (console) and the claims-size check with organizations', () => {
  let engine: MfaEngine
  let operator: OrgActor
  beforeAll(async () => {
    engine = await startMfaEngine({ organizations: { enabled: true }, claims: { template: { plan: '{{org.public_metadata.plan}}', note: '{{user.public_metadata.note}}' } } })
    const admin = await newUser(engine, 'site-admin')
    operator = { userId: admin.userId, ip: '203.0.113.7', kind: 'operator' }
  }, 60_000)
  afterAll(async () => { await engine?.close() })

  let n = 0
  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number; message: string; details: Record<string, unknown> }) => error)
  async function memberWithActiveOrg(name: string) {
    const user = await newUser(engine, name)
    const org = await createOrganization(engine.guard, { userId: user.userId }, { name: `Team ${++n}`, slug: `meta-team-${n}` })
    await setActiveOrganization(engine.guard, { userId: user.userId }, user.sessionId, org.id)
    return { user, org }
  }
  async function mintFor(sessionId: string) {
    const session = (await findLiveSession(engine.guard.db, sessionId, engine.guard.mfa.nowDate()))!
    return decodeJwt((await engine.guard.sessions.mint(session, (await findUserById(engine.guard.db, session.userId))!)).token)
  }
  const audit = (target: string) => engine.db.query<{ actor_id: string; action: string; before: any; after: any }>('select actor_id, action, before, after from guard_audit where target = $1 order by id', [target])

  it('an operator sets it: the member\'s stale token is re-minted with {{org.public_metadata.plan}}; audited with before and after', async () => {
    const { user, org } = await memberWithActiveOrg('ada')
    const before = await mintFor(user.sessionId)
    expect(before.plan).toBeNull()
    const { after } = await setOrganizationMetadata(engine.guard, operator, org.id, { plan: 'enterprise' })
    expect(after.publicMetadata).toEqual({ plan: 'enterprise' })
    expect(engine.guard.authenticator.epochs.isStale(before as any)).toBe(true)
    expect(await mintFor(user.sessionId)).toMatchObject({ plan: 'enterprise', org_id: org.id })
    expect((await audit(org.id)).at(-1)).toEqual({ actor_id: operator.userId, action: 'organization.metadata', before: { slug: org.slug, publicMetadata: {} }, after: { slug: org.slug, publicMetadata: { plan: 'enterprise' } } })
  })

  it('metadata that would make a member\'s token too large is refused (422 naming the claim, the member, the organization); nothing changes', async () => {
    const { user, org } = await memberWithActiveOrg('bob')
    await setOrganizationMetadata(engine.guard, operator, org.id, { plan: 'pro' })
    const error = await refusal(setOrganizationMetadata(engine.guard, operator, org.id, { plan: 'x'.repeat(1_300) }))
    expect(error).toMatchObject({ code: 'claims_too_large', status: 422, details: { field: 'publicMetadata', claim: 'plan' } })
    expect(error.message).toContain(user.email)
    expect(error.message).toContain(`with the organization ${org.slug} active`)
    expect((await findOrganization(engine.db, org.id))?.publicMetadata).toEqual({ plan: 'pro' })
    expect(await refusal(setOrganizationMetadata(engine.guard, operator, 'org_doesnotexist', {}))).toMatchObject({ code: 'organization_not_found', status: 404 })
  })

  it('a user\'s metadata that fits alone but not beside an organization\'s is refused, naming that organization', async () => {
    const { user, org } = await memberWithActiveOrg('cy')
    await setOrganizationMetadata(engine.guard, operator, org.id, { plan: 'p'.repeat(700) })
    const record = (await findUserById(engine.db, user.userId))!
    const overflow = await userClaimsOverflow(engine.db, engine.guard.live.policy, { ...record, publicMetadata: { note: 'n'.repeat(600) } })
    expect(overflow).toMatchObject({ userId: user.userId, org: { id: org.id, slug: org.slug } })
    expect(await userClaimsOverflow(engine.db, engine.guard.live.policy, { ...record, publicMetadata: { note: 'n'.repeat(300) } })).toBeUndefined()
  })

  it('a template that reads {{org.*}} is checked against every membership when it is saved', async () => {
    const { org } = await memberWithActiveOrg('dee')
    await setOrganizationMetadata(engine.guard, operator, org.id, { plan: 'pro', blob: 'b'.repeat(1_250) })
    const live = engine.guard.live
    const save = live.save({ ...live.policy.config, claims: { template: { ...live.policy.config.claims.template, blob: '{{org.public_metadata.blob}}' } } }, { expectedVersion: live.policy.version })
    const error = await refusal(save)
    expect(error.message).toContain('claims.template.blob')
    expect(error.message).toContain(`with the organization ${org.slug} active`)
    expect(live.policy.config.claims.template).not.toHaveProperty('blob')
    // The same template without the organization's shortcode is saved.
    await live.save({ ...live.policy.config, claims: { template: { ...live.policy.config.claims.template, team: '{{org.slug}}' } } }, { expectedVersion: live.policy.version })
    expect(live.policy.config.claims.template).toHaveProperty('team')
  })
})

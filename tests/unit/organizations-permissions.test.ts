import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listMembers } from '../../modules/guard/runtime/core/organizations/members'
import { createOrganization } from '../../modules/guard/runtime/core/organizations/organizations'
import { insertOrgMembership } from '../../modules/guard/runtime/core/store/org-memberships'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

/** Which org permissions imply others: managing the members includes seeing them (a role with only …:manage can list). */
describe('organization permissions', () => {
  let engine: MfaEngine
  beforeAll(async () => {
    engine = await startMfaEngine({
      organizations: {
        enabled: true,
        roles: {
          'org:admin': ['org:sys_profile:manage', 'org:sys_profile:delete', 'org:sys_memberships:read', 'org:sys_memberships:manage'],
          'org:member': [],
          'org:members_manager': ['org:sys_memberships:manage'],
        },
      },
    })
    await newUser(engine, 'site-admin')
  }, 60_000)
  afterAll(async () => { await engine?.close() })

  it('org:sys_memberships:manage alone lists the members; a role with neither is refused naming …:read', async () => {
    const [owner, manager, plain] = [await newUser(engine, 'owner'), await newUser(engine, 'manager'), await newUser(engine, 'plain')]
    const org = await createOrganization(engine.guard, { userId: owner.userId }, { name: 'Implied Co', slug: 'implied-co' })
    const now = engine.guard.mfa.nowDate()
    await insertOrgMembership(engine.db, { orgId: org.id, userId: manager.userId, role: 'org:members_manager', now })
    await insertOrgMembership(engine.db, { orgId: org.id, userId: plain.userId, role: 'org:member', now })
    const { total } = await listMembers(engine.guard, org.id, manager.userId, { limit: 10, offset: 0 })
    expect(total).toBe(3)
    await expect(listMembers(engine.guard, org.id, plain.userId, { limit: 10, offset: 0 }))
      .rejects.toMatchObject({ code: 'org_permission_required', status: 403, details: { permission: 'org:sys_memberships:read' } })
  })
})

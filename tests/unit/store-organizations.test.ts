import { describe, expect, it } from 'vitest'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { createUser } from '../../modules/guard/runtime/core/store/users'
import { deleteOrganization, findOrganization, findOrganizationBySlug, insertOrganization, lockOrganization, updateOrganization } from '../../modules/guard/runtime/core/store/organizations'
import { insertOrgMembership } from '../../modules/guard/runtime/core/store/org-memberships'
import { insertSession, sessionActiveOrgId, setSessionActiveOrg } from '../../modules/guard/runtime/core/store/sessions'
import { withStoreDatabase } from '../support/store-db'

/** guard_organizations: unique slugs whatever their case, updates, deletion and what goes with it. */
describe('store: guard_organizations', () => {
  let db: GuardDatabase
  const now = new Date('2026-01-01T00:00:00Z')
  withStoreDatabase([{ id: 'user_ada', email: 'ada@example.test' }, { id: 'user_bob', email: 'bob@example.test' }], (opened) => { db = opened })

  const insert = (id: string, slug: string, createdBy = 'user_ada') => insertOrganization(db, { id, name: `Org ${id}`, slug, createdBy, now })

  it('inserts, finds by id and by slug in any case', async () => {
    const org = await insert('org_a', 'acme')
    expect(org).toMatchObject({ id: 'org_a', name: 'Org org_a', slug: 'acme', publicMetadata: {}, createdBy: 'user_ada', createdAt: now, updatedAt: now })
    expect(await findOrganization(db, 'org_a')).toEqual(org)
    expect((await findOrganizationBySlug(db, 'ACME'))?.id).toBe('org_a')
    expect(await findOrganization(db, 'org_none')).toBeUndefined()
  })

  it('refuses a slug another organization has, whatever its case, and writes nothing', async () => {
    expect(await insert('org_b', 'AcMe')).toBeUndefined()
    expect(await findOrganization(db, 'org_b')).toBeUndefined()
  })

  it('renames and changes the slug; a taken slug is refused, a gone organization is undefined', async () => {
    await insert('org_c', 'cyan')
    const later = new Date(now.getTime() + 1_000)
    expect(await updateOrganization(db, 'org_c', { name: 'Cyan Inc.' }, later)).toMatchObject({ name: 'Cyan Inc.', slug: 'cyan', updatedAt: later })
    expect(await updateOrganization(db, 'org_c', { slug: 'ACME' }, later)).toBe('slug_taken')
    expect(await updateOrganization(db, 'org_c', { slug: 'cyan-inc' }, later)).toMatchObject({ name: 'Cyan Inc.', slug: 'cyan-inc' })
    // Its own slug in another case is not "taken".
    expect(await updateOrganization(db, 'org_c', { slug: 'Cyan-Inc' }, later)).toMatchObject({ slug: 'Cyan-Inc' })
    expect(await updateOrganization(db, 'org_gone', { name: 'x' }, later)).toBeUndefined()
  })

  it('locks a row only when it exists', async () => {
    expect(await db.transaction(tx => lockOrganization(tx, 'org_a'))).toBe(true)
    expect(await db.transaction(tx => lockOrganization(tx, 'org_gone'))).toBe(false)
  })

  it('deleting one takes its memberships with it and leaves its sessions with no active organization', async () => {
    await insert('org_d', 'delta')
    await insertOrgMembership(db, { orgId: 'org_d', userId: 'user_bob', role: 'org:member', now })
    await insertSession(db, { id: 'sess_bob', userId: 'user_bob', refreshHash: 'r-bob', createdAt: now, expiresAt: new Date(now.getTime() + 86_400_000) })
    expect(await setSessionActiveOrg(db, 'sess_bob', 'user_bob', 'org_d', now)).toBe(true)
    expect(await deleteOrganization(db, 'org_d')).toBe(true)
    expect(await deleteOrganization(db, 'org_d')).toBe(false)
    expect(await db.query('select 1 from guard_org_memberships where org_id = $1', ['org_d'])).toHaveLength(0)
    expect(await sessionActiveOrgId(db, 'sess_bob')).toBeNull()
  })

  it('a deleted creator leaves the organization with created_by null', async () => {
    await createUser(db, { id: 'user_cat', email: 'cat@example.test', passwordHash: 'x' })
    await insert('org_e', 'echo', 'user_cat')
    await db.query('delete from guard_users where id = $1', ['user_cat'])
    expect((await findOrganization(db, 'org_e'))?.createdBy).toBeNull()
  })
})

import type { Guard } from '../engine/create-guard'
import { writeAudit } from '../store/audit'
import { listOrgMemberIds } from '../store/org-memberships'
import { deleteOrganization as deleteOrganizationRow, lockOrganization, updateOrganization as updateOrganizationRow, type OrganizationRecord } from '../store/organizations'
import { usersWithActiveOrg } from '../store/sessions'
import { isOperator, orgClaimsChanged, requireOrgAccess, requireOrgMember, type OrgActor } from './access'
import { OrganizationError } from './errors'
import { ORG_SYSTEM_PERMISSIONS } from './roles'
import type { UpdateOrganizationInput } from './schema'
import { organizationView, type OrganizationView } from './views'

/**
 * Renames an organization and/or changes its slug; needs
 * `org:sys_profile:manage` in it (403 `org_permission_required`, 403
 * `not_a_member`); 409 `slug_taken`. The sessions that have it active are
 * re-minted at their next request on every instance (their token carries
 * the slug). Audited as `organization.update` with the name and slug before and after.
 *
 * @example
 * const org = await updateOrganization(guard, { userId, ip }, orgId, { slug: 'acme-inc' })
 */
export async function updateOrganization(guard: Guard, actor: OrgActor, orgId: string, input: UpdateOrganizationInput): Promise<OrganizationView> {
  const updated = await updateOrganizationProfile(guard, actor, orgId, input)
  const { membership, permissions } = await requireOrgMember(guard, orgId, actor.userId)
  return organizationView(updated, membership.role, permissions)
}

/**
 * What {@link updateOrganization} does, answering the organization itself
 * (not a member's view of it): for a console operator (`actor.kind:
 * 'operator'`), who may rename any organization (404
 * `organization_not_found`) and need not be a member.
 *
 * @example
 * const org = await updateOrganizationProfile(guard, { userId, ip, kind: 'operator' }, orgId, { name: 'Acme Inc.' }) // { id, name, slug, … }
 */
export async function updateOrganizationProfile(guard: Guard, actor: OrgActor, orgId: string, input: UpdateOrganizationInput): Promise<OrganizationRecord> {
  const { organization: before } = await requireOrgAccess(guard, orgId, actor, ORG_SYSTEM_PERMISSIONS.profileManage)
  const now = guard.mfa.nowDate()
  const updated = await updateOrganizationRow(guard.db, orgId, { name: input.name, slug: input.slug }, now)
  if (updated === 'slug_taken') throw new OrganizationError('slug_taken', undefined, { field: 'slug' })
  if (!updated) throw new OrganizationError(isOperator(actor) ? 'organization_not_found' : 'not_a_member')
  await writeAudit(guard.db, {
    actorId: actor.userId, action: 'organization.update', target: orgId,
    before: { name: before.name, slug: before.slug }, after: { name: updated.name, slug: updated.slug }, ip: actor.ip,
  })
  if (updated.slug !== before.slug || updated.name !== before.name) await orgClaimsChanged(guard, await usersWithActiveOrg(guard.db, orgId, now))
  return updated
}

/**
 * Deletes an organization with its memberships and invitations; needs
 * `org:sys_profile:delete` in it. Every session that had it active has none
 * from then on, and every former member's sessions are re-minted at their
 * next request on every instance. Audited as `organization.delete`. A
 * console operator (`actor.kind: 'operator'`) may delete any organization
 * (404 `organization_not_found`).
 *
 * @example
 * await deleteOrganization(guard, { userId, ip }, orgId) // { deleted: true, formerMembers: 3 }
 */
export async function deleteOrganization(guard: Guard, actor: OrgActor, orgId: string): Promise<{ deleted: true; formerMembers: number }> {
  const memberIds = await guard.db.transaction(async (tx) => {
    if (!(await lockOrganization(tx, orgId))) throw new OrganizationError(isOperator(actor) ? 'organization_not_found' : 'not_a_member')
    const { organization } = await requireOrgAccess(guard, orgId, actor, ORG_SYSTEM_PERMISSIONS.profileDelete, tx)
    const members = await listOrgMemberIds(tx, orgId)
    await deleteOrganizationRow(tx, orgId)
    await writeAudit(tx, { actorId: actor.userId, action: 'organization.delete', target: orgId, before: { name: organization.name, slug: organization.slug, members: members.length }, after: null, ip: actor.ip })
    return members
  })
  await orgClaimsChanged(guard, memberIds)
  return { deleted: true, formerMembers: memberIds.length }
}

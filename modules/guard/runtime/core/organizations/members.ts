import type { Guard } from '../engine/create-guard'
import type { SqlExecutor } from '../store/db/database'
import { writeAudit } from '../store/audit'
import { countOrgMembersWithRole, deleteOrgMembership, findOrgMembership, listOrgMembers, setOrgMemberRole, type OrgMemberView } from '../store/org-memberships'
import { lockOrganization } from '../store/organizations'
import { clearSessionsActiveOrg } from '../store/sessions'
import { findUserById } from '../store/users'
import { assertKnownOrgRole, isOperator, organizationsSectionFor, orgClaimsChanged, requireOrgAccess, requireOrgMember, requireOrgPermission, type OrgActor } from './access'
import { OrganizationError } from './errors'
import { ORG_ADMIN_ROLE, ORG_SYSTEM_PERMISSIONS } from './roles'

/**
 * An organization's members with their roles, oldest first, one page;
 * needs `org:sys_memberships:read` in it.
 *
 * @example
 * const { members, total } = await listMembers(guard, orgId, userId, { limit: 100, offset: 0 })
 */
export async function listMembers(guard: Guard, orgId: string, userId: string, page: { limit: number; offset: number }): Promise<{ members: OrgMemberView[]; total: number }> {
  await requireOrgPermission(guard, orgId, userId, ORG_SYSTEM_PERMISSIONS.membershipsRead)
  return listOrgMembers(guard.db, orgId, page)
}

/**
 * Gives a member another org role; needs `org:sys_memberships:manage`. The
 * role must be one the config defines (422 naming `role`); 404
 * `member_not_found`; 409 `last_org_admin` when it would leave the
 * organization without an org:admin (judged under a lock on the
 * organization, so two admins demoting each other at once cannot both win).
 * The member's sessions are re-minted at their next request on every
 * instance. Audited as `organization.member_role` (the member's address and
 * role before and after). A console operator (`actor.kind: 'operator'`) may
 * do it in any organization, whether or not organizations are switched on.
 *
 * @example
 * await changeMemberRole(guard, { userId: adminId }, orgId, memberId, 'org:admin') // { userId, role: 'org:admin' }
 * await changeMemberRole(guard, { userId: operatorId, kind: 'operator' }, orgId, memberId, 'org:member')
 */
export async function changeMemberRole(guard: Guard, actor: OrgActor, orgId: string, memberId: string, role: string): Promise<{ userId: string; role: string }> {
  assertKnownOrgRole(guard, role, organizationsSectionFor(guard, actor).roles)
  const before = await guard.db.transaction(async (tx) => {
    const target = await lockedTarget(guard, tx, actor, orgId, memberId)
    if (target.role === role) return role
    await refuseLastAdmin(tx, orgId, target.role, role)
    const changed = await setOrgMemberRole(tx, orgId, memberId, role)
    if (!changed) throw new OrganizationError('member_not_found')
    const email = await memberEmail(tx, memberId)
    await writeAudit(tx, { actorId: actor.userId, action: 'organization.member_role', target: `${orgId}:${memberId}`, before: { email, role: changed.before }, after: { email, role }, ip: actor.ip })
    return changed.before
  })
  if (before !== role) await orgClaimsChanged(guard, [memberId])
  return { userId: memberId, role }
}

/**
 * Removes a member (yourself: see {@link leaveOrganization}); needs
 * `org:sys_memberships:manage`. 404 `member_not_found`; 409
 * `last_org_admin` for the last org:admin. Their sessions lose the
 * organization as the active one and are re-minted at their next request on
 * every instance. Audited as `organization.member_remove` (before: the
 * address and role; after: no membership). A console operator may remove
 * anyone, themselves included, from any organization.
 *
 * @example
 * await removeMember(guard, { userId: adminId, ip }, orgId, memberId) // { removed: true }
 */
export async function removeMember(guard: Guard, actor: OrgActor, orgId: string, memberId: string): Promise<{ removed: true }> {
  if (memberId === actor.userId && !isOperator(actor)) {
    await leaveOrganization(guard, actor, orgId)
    return { removed: true }
  }
  await guard.db.transaction(async (tx) => {
    const target = await lockedTarget(guard, tx, actor, orgId, memberId)
    await dropMember(tx, orgId, memberId, target.role)
    await writeAudit(tx, { actorId: actor.userId, action: 'organization.member_remove', target: `${orgId}:${memberId}`, before: { email: await memberEmail(tx, memberId), role: target.role }, after: null, ip: actor.ip })
  })
  await orgClaimsChanged(guard, [memberId])
  return { removed: true }
}

/**
 * Leaves an organization: any member may, but its last org:admin (409
 * `last_org_admin`: make another member an org:admin, or delete the
 * organization). The leaver's sessions lose it as the active organization
 * and are re-minted at their next request. Audited as `organization.leave`.
 *
 * @example
 * await leaveOrganization(guard, { userId, ip }, orgId) // { left: true }
 */
export async function leaveOrganization(guard: Guard, actor: OrgActor, orgId: string): Promise<{ left: true }> {
  await guard.db.transaction(async (tx) => {
    if (!(await lockOrganization(tx, orgId))) throw new OrganizationError('not_a_member')
    const { membership } = await requireOrgMember(guard, orgId, actor.userId, tx)
    await dropMember(tx, orgId, actor.userId, membership.role)
    await writeAudit(tx, { actorId: actor.userId, action: 'organization.leave', target: `${orgId}:${actor.userId}`, before: { role: membership.role }, ip: actor.ip })
  })
  await orgClaimsChanged(guard, [actor.userId])
  return { left: true }
}

/** Locks the organization, checks the actor may manage its members, and returns the target's membership (404 when none). */
async function lockedTarget(guard: Guard, tx: SqlExecutor, actor: OrgActor, orgId: string, memberId: string) {
  if (!(await lockOrganization(tx, orgId))) throw new OrganizationError(isOperator(actor) ? 'organization_not_found' : 'not_a_member')
  await requireOrgAccess(guard, orgId, actor, ORG_SYSTEM_PERMISSIONS.membershipsManage, tx)
  const target = await findOrgMembership(tx, orgId, memberId)
  if (!target) throw new OrganizationError('member_not_found')
  return target
}

/** A member's address for the audit log (null once the account is gone). */
async function memberEmail(tx: SqlExecutor, userId: string): Promise<string | null> {
  return (await findUserById(tx, userId))?.email ?? null
}

/** 409 `last_org_admin` when the one org:admin would stop being one. */
async function refuseLastAdmin(tx: SqlExecutor, orgId: string, fromRole: string, toRole: string | undefined): Promise<void> {
  if (fromRole !== ORG_ADMIN_ROLE || toRole === ORG_ADMIN_ROLE) return
  if (await countOrgMembersWithRole(tx, orgId, ORG_ADMIN_ROLE) <= 1) throw new OrganizationError('last_org_admin')
}

/** Deletes a membership (last-admin rule first) and clears the organization from that user's sessions. */
async function dropMember(tx: SqlExecutor, orgId: string, userId: string, role: string): Promise<void> {
  await refuseLastAdmin(tx, orgId, role, undefined)
  await deleteOrgMembership(tx, orgId, userId)
  await clearSessionsActiveOrg(tx, orgId, userId)
}

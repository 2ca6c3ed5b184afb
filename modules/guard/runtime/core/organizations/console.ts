/**
 * What only the admin console does with organizations: list and search all
 * of them, read one with its members and pending invitations, create one for
 * an owner, add an existing user directly. Every function takes an operator
 * (`actor.kind: 'operator'`, built by the admin API after it checked the
 * console's admin role) and refuses anyone else; the shared changes (roles,
 * removal, rename, delete, invitations) are the member services, which take
 * an operator too.
 */
import type { Guard } from '../engine/create-guard'
import { writeAudit } from '../store/audit'
import { listOrgInvitations } from '../store/org-invitations'
import { insertOrgMembership, listOrgMembers, type OrgMemberView } from '../store/org-memberships'
import { findOrganization, lockOrganization, searchOrganizations, type OrganizationListItem, type OrganizationRecord } from '../store/organizations'
import { findUserByEmail } from '../store/users'
import { assertKnownOrgRole, isOperator, organizationsSectionFor, orgClaimsChanged, type OrgActor } from './access'
import { OrganizationError } from './errors'
import { createOrganization } from './organizations'
import { ORG_SYSTEM_PERMISSIONS } from './roles'
import type { CreateOrganizationInput } from './schema'
import { invitationView, type OrganizationView, type OrgInvitationView } from './views'

/** The most members one detail answer lists (the total is always given). */
export const CONSOLE_MEMBERS_LIMIT = 500

/** One organization as the console shows it: the record, its members (up to 500) and their total, its pending invitations. */
export interface OrganizationDetails {
  organization: OrganizationRecord
  members: OrgMemberView[]
  membersTotal: number
  invitations: OrgInvitationView[]
}

/** 403 `org_permission_required` unless the actor is a console operator. */
function requireOperator(actor: OrgActor): void {
  if (!isOperator(actor)) throw new OrganizationError('org_permission_required', 'Only the admin console can do this; members invite people instead.', { permission: ORG_SYSTEM_PERMISSIONS.membershipsManage })
}

/**
 * Every organization, by name, one page, each with its member count; `q`
 * matches part of the name or the slug, case-insensitively.
 *
 * @example
 * await listOrganizationsForConsole(guard, operator, { q: 'acme', limit: 20, offset: 0 }) // { organizations: [{ name: 'Acme', memberCount: 3, … }], total: 1 }
 */
export async function listOrganizationsForConsole(guard: Guard, actor: OrgActor, page: { q: string; limit: number; offset: number }): Promise<{ organizations: OrganizationListItem[]; total: number }> {
  requireOperator(actor)
  return searchOrganizations(guard.db, page)
}

/**
 * One organization with its members (emails and org roles, oldest first, up
 * to {@link CONSOLE_MEMBERS_LIMIT}) and its pending invitations, newest
 * first; 404 `organization_not_found`.
 *
 * @example
 * const { organization, members, invitations } = await organizationDetails(guard, operator, orgId)
 */
export async function organizationDetails(guard: Guard, actor: OrgActor, orgId: string): Promise<OrganizationDetails> {
  requireOperator(actor)
  const organization = await findOrganization(guard.db, orgId)
  if (!organization) throw new OrganizationError('organization_not_found')
  const now = guard.mfa.nowDate()
  const { members, total } = await listOrgMembers(guard.db, orgId, { limit: CONSOLE_MEMBERS_LIMIT, offset: 0 })
  const invitations = (await listOrgInvitations(guard.db, orgId, { limit: 200 })).map(invitation => invitationView(invitation, now)).filter(invitation => invitation.status === 'pending')
  return { organization, members, membersTotal: total, invitations }
}

/**
 * Creates an organization for the user with `ownerEmail` (case-insensitively),
 * who becomes its first org:admin; 404 `user_not_found` (field `ownerEmail`),
 * 409 `slug_taken`, 422 for a name that gives no slug. Audited as
 * `organization.create` with the owner's id.
 *
 * @example
 * const org = await createOrganizationFor(guard, operator, { name: 'Acme', ownerEmail: 'ada@example.com' }) // { slug: 'acme', role: 'org:admin', … }
 */
export async function createOrganizationFor(guard: Guard, actor: OrgActor, input: CreateOrganizationInput & { ownerEmail: string }): Promise<OrganizationView> {
  requireOperator(actor)
  const owner = await findUserByEmail(guard.db, input.ownerEmail.trim())
  if (!owner) throw new OrganizationError('user_not_found', 'No account has this address; create or invite the user first (Users screen).', { field: 'ownerEmail' })
  return createOrganization(guard, actor, { name: input.name, slug: input.slug }, { ownerId: owner.id })
}

/**
 * Adds an existing user, found by address (case-insensitively), to an
 * organization with a role, at once and without an invitation (members
 * invite instead). 404 `user_not_found` (field `email`), 404
 * `organization_not_found`, 409 `already_a_member`, 422 for a role the
 * config does not define. The user's sessions are re-minted at their next
 * request. Audited as `organization.member_add` (before: no membership;
 * after: the address and role).
 *
 * @example
 * await addOrgMember(guard, operator, orgId, { email: 'bob@example.com', role: 'org:member' })
 * // { userId: 'user_…', email: 'bob@example.com', role: 'org:member', joinedAt }
 */
export async function addOrgMember(guard: Guard, actor: OrgActor, orgId: string, input: { email: string; role: string }): Promise<OrgMemberView> {
  requireOperator(actor)
  assertKnownOrgRole(guard, input.role, organizationsSectionFor(guard, actor).roles)
  const user = await findUserByEmail(guard.db, input.email.trim())
  if (!user) throw new OrganizationError('user_not_found', 'No account has this address; invite it instead (an invitation works for a new sign-up too).', { field: 'email' })
  const now = guard.mfa.nowDate()
  await guard.db.transaction(async (tx) => {
    if (!(await lockOrganization(tx, orgId))) throw new OrganizationError('organization_not_found')
    if (!(await insertOrgMembership(tx, { orgId, userId: user.id, role: input.role, now }))) throw new OrganizationError('already_a_member', undefined, { field: 'email' })
    await writeAudit(tx, { actorId: actor.userId, action: 'organization.member_add', target: `${orgId}:${user.id}`, before: null, after: { email: user.email, role: input.role }, ip: actor.ip })
  })
  await orgClaimsChanged(guard, [user.id])
  return { userId: user.id, email: user.email, role: input.role, joinedAt: now }
}

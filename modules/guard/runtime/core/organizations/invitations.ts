import { createHmac } from 'node:crypto'
import { newId, randomToken } from '../crypto/random'
import type { Guard } from '../engine/create-guard'
import type { MailMessage } from '../mail/mailer'
import { writeAudit } from '../store/audit'
import { insertOrgInvitation, listOrgInvitations, revokeOrgInvitation } from '../store/org-invitations'
import { isOrgMemberByEmail } from '../store/org-memberships'
import { hitRateLimit, type RateLimitRule } from '../store/rate-limits'
import { findUserById } from '../store/users'
import { assertKnownOrgRole, organizationsConfig, requireOrgAccess, requireOrgPermission, type OrgActor } from './access'
import { OrganizationError } from './errors'
import { ORG_MEMBER_ROLE, ORG_SYSTEM_PERMISSIONS } from './roles'
import type { InviteInput } from './schema'
import { invitationView, type OrgInvitationView } from './views'

/** Invitations one user may send, over every organization, per hour. */
export const ORG_INVITE_RULE: RateLimitRule = { limit: 50, windowSeconds: 3_600, blockSeconds: 3_600 }

/**
 * The keyed hash an invitation token is stored and looked up as (HMAC-SHA-256
 * with the guard's code pepper): a copy of the database alone accepts nothing.
 *
 * @example
 * const tokenHash = hashOrgInvitationToken(token, guard.mfa.pepper)
 */
export function hashOrgInvitationToken(token: string, pepper: Uint8Array): string {
  return createHmac('sha256', pepper).update(`org-invitation:${token}`).digest('base64url')
}

/**
 * Invites an address to an organization with a role (default `org:member`);
 * needs `org:sys_memberships:manage`. The email carries a link to
 * `acceptUrl?token=…` (256-bit token, stored as a keyed hash, single use,
 * `organizations.invitationTtlHours`, for this address only); an earlier
 * pending invitation of the address (lower-cased) to the organization stops working. 409
 * `already_a_member`; 422 for an unknown role; 429 past 50 invitations per
 * inviter per hour. The email goes out after the answer (`delivery`).
 * Audited as `organization.invite`. A console operator (`actor.kind:
 * 'operator'`) may invite to any organization (404 `organization_not_found`),
 * while organizations are switched on (the link's page needs them).
 *
 * @example
 * const { invitation, delivery } = await inviteToOrganization(guard, { userId, ip }, orgId, { email: 'bob@example.com' }, 'https://app.example.com/org-invitation')
 */
export async function inviteToOrganization(guard: Guard, actor: OrgActor, orgId: string, input: InviteInput, acceptUrl: string): Promise<{ invitation: OrgInvitationView; delivery: Promise<void> }> {
  const section = organizationsConfig(guard)
  const email = input.email.trim().toLowerCase()
  const role = input.role ?? ORG_MEMBER_ROLE
  assertKnownOrgRole(guard, role)
  const { organization } = await requireOrgAccess(guard, orgId, actor, ORG_SYSTEM_PERMISSIONS.membershipsManage)
  if (await isOrgMemberByEmail(guard.db, orgId, email)) throw new OrganizationError('already_a_member', undefined, { field: 'email' })
  const now = guard.mfa.nowDate()
  const hit = await hitRateLimit(guard.db, `org-invite:${actor.userId}`, ORG_INVITE_RULE, now)
  if (!hit.allowed) throw new OrganizationError('too_many_attempts', 'You sent many invitations in a short time; try again later.', { retryAfterSeconds: hit.retryAfterSeconds })
  const token = randomToken()
  const expiresAt = new Date(now.getTime() + section.invitationTtlHours * 3_600_000)
  const invitation = await insertOrgInvitation(guard.db, {
    id: newId('orginv'), orgId, email, role, tokenHash: hashOrgInvitationToken(token, guard.mfa.pepper), invitedBy: actor.userId, now, expiresAt,
  })
  await writeAudit(guard.db, { actorId: actor.userId, action: 'organization.invite', target: orgId, before: null, after: { invitationId: invitation.id, email: invitation.email, role, status: 'pending' }, ip: actor.ip })
  const inviter = await findUserById(guard.db, actor.userId)
  const link = `${acceptUrl}?token=${encodeURIComponent(token)}`
  const delivery = guard.mfa.deps.mailer.send(invitationMessage(invitation.email, organization.name, role, inviter?.email, link, section.invitationTtlHours))
  return { invitation: invitationView(invitation, now), delivery }
}

/**
 * An organization's invitations, newest first, with where each stands; needs `org:sys_memberships:manage`.
 *
 * @example
 * const invitations = await listInvitations(guard, orgId, userId) // [{ email, role, status: 'pending', … }]
 */
export async function listInvitations(guard: Guard, orgId: string, userId: string): Promise<OrgInvitationView[]> {
  await requireOrgPermission(guard, orgId, userId, ORG_SYSTEM_PERMISSIONS.membershipsManage)
  const now = guard.mfa.nowDate()
  return (await listOrgInvitations(guard.db, orgId, { limit: 200 })).map(invitation => invitationView(invitation, now))
}

/**
 * Withdraws a pending invitation (its link stops working); needs
 * `org:sys_memberships:manage`; 404 `invitation_not_found` when the
 * organization has no such pending one. Audited as `organization.invitation_revoke`.
 * A console operator (`actor.kind: 'operator'`) may revoke any organization's invitations.
 *
 * @example
 * await revokeInvitation(guard, { userId, ip }, orgId, invitationId) // { status: 'revoked', … }
 */
export async function revokeInvitation(guard: Guard, actor: OrgActor, orgId: string, invitationId: string): Promise<OrgInvitationView> {
  await requireOrgAccess(guard, orgId, actor, ORG_SYSTEM_PERMISSIONS.membershipsManage)
  const now = guard.mfa.nowDate()
  const revoked = await revokeOrgInvitation(guard.db, orgId, invitationId, now)
  if (!revoked) throw new OrganizationError('invitation_not_found')
  await writeAudit(guard.db, { actorId: actor.userId, action: 'organization.invitation_revoke', target: orgId, before: { invitationId, email: revoked.email, role: revoked.role, status: 'pending' }, after: { invitationId, status: 'revoked' }, ip: actor.ip })
  return invitationView(revoked, now)
}

function invitationMessage(to: string, orgName: string, role: string, inviter: string | undefined, link: string, ttlHours: number): MailMessage {
  return {
    to,
    subject: `You are invited to join ${orgName}`,
    text: `${inviter ?? 'A member'} invited you to join ${orgName} (role ${role}).\n\nAccept the invitation: ${link}\n\n`
      + `The link works once, for ${ttlHours} hours, and only for ${to}: sign in with this address (or sign up with it) first.\n\n`
      + 'If you did not expect it, ignore this email.',
  }
}

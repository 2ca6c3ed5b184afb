import type { Guard } from '../engine/create-guard'
import { writeAudit } from '../store/audit'
import { acceptOrgInvitation, findOrgInvitationByTokenHash, orgInvitationStatus } from '../store/org-invitations'
import { findOrgMembership, insertOrgMembership } from '../store/org-memberships'
import { findOrganization } from '../store/organizations'
import { hitRateLimit, type RateLimitRule } from '../store/rate-limits'
import { findUserById } from '../store/users'
import { organizationsConfig, orgClaimsChanged, type OrgActor } from './access'
import { OrganizationError } from './errors'
import { hashOrgInvitationToken } from './invitations'
import { orgPermissionsOf } from './roles'
import { organizationView, type OrganizationView } from './views'

/** Invitation look-ups (preview and accept) per signed-in user, per 15 minutes. */
export const ORG_INVITATION_LOOKUP_RULE: RateLimitRule = { limit: 30, windowSeconds: 900, blockSeconds: 900 }

/** What the acceptance page shows before the user accepts: the organization, the role, the address the invitation is for. */
export interface OrgInvitationPreview {
  organization: { id: string; name: string; slug: string }
  role: string
  email: string
  expiresAt: Date
  /** Whether the signed-in user's address is the invited one (else they must sign in with that address). */
  forYou: boolean
}

/** The pending invitation behind a token, counting the look-up (429 past 30 per user per 15 minutes); else 400 `invalid_invitation`. */
async function pendingInvitation(guard: Guard, actor: OrgActor, token: string) {
  organizationsConfig(guard)
  const now = guard.mfa.nowDate()
  const hit = await hitRateLimit(guard.db, `org-invitation:user:${actor.userId}`, ORG_INVITATION_LOOKUP_RULE, now)
  if (!hit.allowed) throw new OrganizationError('too_many_attempts', undefined, { retryAfterSeconds: hit.retryAfterSeconds })
  const invitation = await findOrgInvitationByTokenHash(guard.db, hashOrgInvitationToken(token, guard.mfa.pepper))
  const organization = invitation && orgInvitationStatus(invitation, now) === 'pending' ? await findOrganization(guard.db, invitation.orgId) : undefined
  if (!invitation || !organization) throw new OrganizationError('invalid_invitation')
  const user = await findUserById(guard.db, actor.userId)
  return { invitation, organization, user, now, forYou: Boolean(user && user.email.toLowerCase() === invitation.email.toLowerCase()) }
}

/**
 * What an invitation link offers, for the acceptance page; nothing is spent.
 * 400 `invalid_invitation` (unknown, used, revoked, expired), 429 `too_many_attempts`.
 *
 * @example
 * await previewOrgInvitation(guard, { userId }, token) // { organization: { name: 'Acme', … }, role: 'org:member', email: 'bob@example.com', forYou: true, … }
 */
export async function previewOrgInvitation(guard: Guard, actor: OrgActor, token: string): Promise<OrgInvitationPreview> {
  const { invitation, organization, forYou } = await pendingInvitation(guard, actor, token)
  return { organization: { id: organization.id, name: organization.name, slug: organization.slug }, role: invitation.role, email: invitation.email, expiresAt: invitation.expiresAt, forYou }
}

/**
 * Accepts an invitation for the signed-in user: the token (from the email's
 * link) must belong to a pending invitation (else 400 `invalid_invitation`,
 * the one answer for unknown, used, revoked and expired tokens) sent to the
 * user's own address, compared case-insensitively (else 403
 * `invitation_for_another_address`, and the invitation stays usable by its
 * addressee). Spending the invitation and adding the membership are one
 * transaction, so a token works once even when two requests race; 409
 * `already_a_member` when the user already belongs (nothing spent). The
 * user's sessions are re-minted at their next request. Audited as
 * `organization.invitation_accept`. 429 past 30 look-ups per user per 15 minutes.
 *
 * @example
 * const org = await acceptOrgInvitationToken(guard, { userId, ip }, token) // { id, slug, role: 'org:member', … }
 */
export async function acceptOrgInvitationToken(guard: Guard, actor: OrgActor, token: string): Promise<OrganizationView> {
  const { invitation, organization, user, now, forYou } = await pendingInvitation(guard, actor, token)
  if (!user || !forYou) throw new OrganizationError('invitation_for_another_address')
  if (await findOrgMembership(guard.db, invitation.orgId, user.id)) throw new OrganizationError('already_a_member')
  await guard.db.transaction(async (tx) => {
    if (!(await acceptOrgInvitation(tx, invitation.id, user.id, now))) throw new OrganizationError('invalid_invitation')
    if (!(await insertOrgMembership(tx, { orgId: invitation.orgId, userId: user.id, role: invitation.role, now }))) throw new OrganizationError('already_a_member')
    await writeAudit(tx, { actorId: user.id, action: 'organization.invitation_accept', target: invitation.orgId, after: { invitationId: invitation.id, role: invitation.role }, ip: actor.ip })
  })
  await orgClaimsChanged(guard, [user.id])
  return organizationView(organization, invitation.role, orgPermissionsOf(organizationsConfig(guard).roles, invitation.role))
}

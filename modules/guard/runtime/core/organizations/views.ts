import type { OrganizationRecord } from '../store/organizations'
import { orgInvitationStatus, type OrgInvitationRecord, type OrgInvitationStatus } from '../store/org-invitations'

/** An organization as the API answers it to a member: with their role and its permissions. */
export interface OrganizationView {
  id: string
  name: string
  slug: string
  publicMetadata: Record<string, unknown>
  createdAt: Date
  updatedAt: Date
  /** The caller's org role (`org:admin`, …). */
  role: string
  /** What that role may do, from the live config's `organizations.roles`. */
  permissions: string[]
}

/** An invitation as the API answers it (never its token). */
export interface OrgInvitationView {
  id: string
  email: string
  role: string
  status: OrgInvitationStatus
  invitedBy: string | null
  createdAt: Date
  expiresAt: Date
  acceptedAt: Date | null
  revokedAt: Date | null
}

/**
 * An organization with the caller's role and permissions.
 *
 * @example
 * organizationView(org, 'org:admin', ['org:sys_memberships:manage'])
 */
export function organizationView(org: OrganizationRecord, role: string, permissions: string[]): OrganizationView {
  return { id: org.id, name: org.name, slug: org.slug, publicMetadata: org.publicMetadata, createdAt: org.createdAt, updatedAt: org.updatedAt, role, permissions }
}

/**
 * An invitation with where it stands at `now`.
 *
 * @example
 * invitationView(invitation, guard.mfa.nowDate()).status // 'pending'
 */
export function invitationView(invitation: OrgInvitationRecord, now: Date): OrgInvitationView {
  return {
    id: invitation.id, email: invitation.email, role: invitation.role, status: orgInvitationStatus(invitation, now), invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt, expiresAt: invitation.expiresAt, acceptedAt: invitation.acceptedAt, revokedAt: invitation.revokedAt,
  }
}

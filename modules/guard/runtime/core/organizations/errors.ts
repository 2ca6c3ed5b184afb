import { defineErrorCodes, GuardError, GUARD_ERROR_CODES } from '../errors'

/**
 * The organizations registry. `not_a_member` is also the answer for an
 * organization that does not exist (ids are not enumerable either way) —
 * to members; a console operator, who lists them all, gets
 * `organization_not_found`;
 * `org_permission_required` names the `permission` the caller's org role
 * lacks; `invalid_invitation` is the one answer for a token that is unknown,
 * used, revoked or expired (which of these is never said), while an
 * invitation for another address says so (without naming the address).
 */
export const ORGANIZATION_ERROR_CODES = defineErrorCodes({
  organizations_disabled: { status: 403, description: 'Organizations are switched off on this site; an administrator turns them on in the console (organizations.enabled).' },
  organization_creation_disabled: { status: 403, description: 'Only administrators can create organizations on this site; ask one to create it and invite you.' },
  not_a_member: { status: 403, description: 'You are not a member of this organization; ask one of its admins to invite you.' },
  org_permission_required: { status: 403, description: 'Your role in this organization does not allow this; ask one of its admins.' },
  organization_not_found: { status: 404, description: 'There is no such organization; pick one from the organizations list.' },
  user_not_found: GUARD_ERROR_CODES.user_not_found,
  member_not_found: { status: 404, description: 'That user is not a member of this organization; reload the member list.' },
  invitation_not_found: { status: 404, description: 'This organization has no such pending invitation; reload the invitation list.' },
  slug_taken: { status: 409, description: 'Another organization already has this slug; choose another.' },
  already_a_member: { status: 409, description: 'This address already belongs to a member of the organization; nothing to do.' },
  last_org_admin: { status: 409, description: 'This is the organization\'s last org:admin; make another member an org:admin first (or delete the organization).' },
  invalid_invitation: { status: 400, description: 'This invitation link is not valid: it may be mistyped, already used, withdrawn or expired. Ask the organization for a new invitation.' },
  invitation_for_another_address: { status: 403, description: 'This invitation was sent to another email address: sign in with the address it was sent to, then open the link again.' },
  invalid_request: GUARD_ERROR_CODES.invalid_request,
  too_many_attempts: GUARD_ERROR_CODES.too_many_attempts,
})

export type OrganizationErrorCode = keyof typeof ORGANIZATION_ERROR_CODES

/**
 * A refusal of an organization operation; status from {@link ORGANIZATION_ERROR_CODES}.
 *
 * @example
 * throw new OrganizationError('org_permission_required', undefined, { permission: 'org:sys_memberships:manage' })
 */
export class OrganizationError<Code extends OrganizationErrorCode = OrganizationErrorCode> extends GuardError<Code> {
  static override readonly codes = ORGANIZATION_ERROR_CODES
  override name = 'OrganizationError'
}

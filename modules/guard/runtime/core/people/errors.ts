import { defineErrorCodes, GuardError, GUARD_ERROR_CODES } from '../errors'

/**
 * The registry of an admin's management of people (create, invite, disable,
 * unlock) and of invitations. `user_disabled` is what sign-in answers for a
 * disabled account, and only after the right password (a wrong one stays 401
 * `invalid_credentials`), so it never tells a stranger that an address has an
 * account; its body carries `disabledUntil` (ISO 8601, or null: until an
 * administrator enables it). `invalid_invitation` is the one answer for an
 * invitation token that is wrong, spent, revoked or expired.
 */
export const PEOPLE_ERROR_CODES = defineErrorCodes({
  user_disabled: { status: 403, description: 'This account is disabled. Contact your administrator.' },
  invalid_invitation: { status: 400, description: 'This invitation link is not valid: it may have been used, revoked or expired. Ask your administrator for a new one.' },
  invitation_not_found: { status: 404, description: 'There is no such pending invitation; it may have been accepted, revoked or expired. Reload the list.' },
  own_account: { status: 409, description: 'You cannot do this to your own account from the console; ask another admin.' },
  invitation_not_sent: { status: 502, description: 'The invitation email could not be sent, so the invitation was withdrawn; check the mail settings and try again.' },
  email_taken: GUARD_ERROR_CODES.email_taken,
  last_admin: GUARD_ERROR_CODES.last_admin,
  user_not_found: GUARD_ERROR_CODES.user_not_found,
  invalid_request: GUARD_ERROR_CODES.invalid_request,
  too_many_attempts: GUARD_ERROR_CODES.too_many_attempts,
})

export type PeopleErrorCode = keyof typeof PEOPLE_ERROR_CODES

/**
 * A refusal of people management or of an invitation; status from {@link PEOPLE_ERROR_CODES}.
 *
 * @example
 * throw new PeopleError('own_account', 'You cannot disable your own account; ask another admin.')
 */
export class PeopleError<Code extends PeopleErrorCode = PeopleErrorCode> extends GuardError<Code> {
  static override readonly codes = PEOPLE_ERROR_CODES
  override name = 'PeopleError'
}

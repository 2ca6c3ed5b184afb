import { defineErrorCodes, GuardError, GUARD_ERROR_CODES } from '../errors'

/**
 * The registry of the account's own changes (change password, delete the
 * account). `incorrect_password` is the current password being wrong (422
 * naming `field: 'currentPassword'`; every such failure counts in the
 * sign-in throttle). The step-up refusal is the contract's 403
 * `mfa_required` with `mfa_token` and `mfa_requirements`; the rest are the
 * base registry's very entries.
 */
export const ACCOUNT_ERROR_CODES = defineErrorCodes({
  incorrect_password: { status: 422, description: 'Your current password is not right; type it again.' },
  invalid_request: GUARD_ERROR_CODES.invalid_request,
  unauthenticated: GUARD_ERROR_CODES.unauthenticated,
  mfa_required: GUARD_ERROR_CODES.mfa_required,
  user_not_found: GUARD_ERROR_CODES.user_not_found,
})

export type AccountErrorCode = keyof typeof ACCOUNT_ERROR_CODES

/**
 * A refusal of an account change; status from {@link ACCOUNT_ERROR_CODES}.
 *
 * @example
 * throw new AccountError('incorrect_password', undefined, { field: 'currentPassword' })
 * new AccountError('incorrect_password').status // 422
 */
export class AccountError<Code extends AccountErrorCode = AccountErrorCode> extends GuardError<Code> {
  static override readonly codes = ACCOUNT_ERROR_CODES
  override name = 'AccountError'
}

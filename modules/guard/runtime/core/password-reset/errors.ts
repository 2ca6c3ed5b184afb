import { defineErrorCodes, GuardError, GUARD_ERROR_CODES } from '../errors'

/**
 * The password-reset registry. `invalid_reset_code` is the one answer for a
 * code that is wrong, spent, expired, out of tries or meant for another
 * address (which of these is never said). `reset_factor_required` asks for
 * the account's second factor: its body names the factors that may answer,
 * `factors: ('totp' | 'recovery_code')[]` (empty: none can; an administrator
 * must reset the account's factors).
 */
export const PASSWORD_RESET_ERROR_CODES = defineErrorCodes({
  invalid_reset_code: { status: 400, description: 'That reset code is not valid: it may be mistyped, used or expired. Ask for a new one.' },
  reset_factor_required: { status: 403, description: 'This account has a second factor: confirm it to reset the password.' },
  invalid_request: GUARD_ERROR_CODES.invalid_request,
  too_many_attempts: GUARD_ERROR_CODES.too_many_attempts,
})

export type PasswordResetErrorCode = keyof typeof PASSWORD_RESET_ERROR_CODES

/**
 * A refusal of the password-reset flow; status from {@link PASSWORD_RESET_ERROR_CODES}.
 *
 * @example
 * throw new PasswordResetError('reset_factor_required', undefined, { factors: ['totp', 'recovery_code'] })
 */
export class PasswordResetError<Code extends PasswordResetErrorCode = PasswordResetErrorCode> extends GuardError<Code> {
  static override readonly codes = PASSWORD_RESET_ERROR_CODES
  override name = 'PasswordResetError'
}

import { defineErrorCodes, GuardError, GUARD_ERROR_CODES } from '../errors'

/**
 * The new-password registry. Both refusals are 422 and name the field
 * (`field: 'password'`, `fields: { password: description }`, as a
 * validation error does, so forms show the reason under the password box):
 *
 * - `weak_password`: too short, contains the account's email name or the
 *   site's name, or easy to guess by zxcvbn's estimate; the description says
 *   why and what to do (zxcvbn's warning and suggestions), `suggestions`
 *   lists the suggestions alone.
 * - `breached_password`: the password is in a known data breach (Have I Been
 *   Pwned's Pwned Passwords, when `account.breachedPasswordCheck` is on);
 *   `breaches` is how many times it was seen.
 */
export const PASSWORD_ERROR_CODES = defineErrorCodes({
  weak_password: { status: 422, description: 'This password would be easy to guess. Use at least 8 characters; a few uncommon words work well.' },
  breached_password: { status: 422, description: 'This password has appeared in a known data breach; choose another one.' },
  invalid_request: GUARD_ERROR_CODES.invalid_request,
})

export type PasswordErrorCode = keyof typeof PASSWORD_ERROR_CODES

/**
 * A new password refused; status from {@link PASSWORD_ERROR_CODES}. The
 * details always carry `field: 'password'` and `fields.password`.
 *
 * @example
 * throw passwordRefused('weak_password', 'This is a commonly used password. Add more words that are less common.')
 */
export class PasswordRefusedError<Code extends PasswordErrorCode = PasswordErrorCode> extends GuardError<Code> {
  static override readonly codes = PASSWORD_ERROR_CODES
  override name = 'PasswordRefusedError'
}

/**
 * A {@link PasswordRefusedError} whose body shows `description` under the password field.
 *
 * @example
 * passwordRefused('breached_password', 'Seen in 3 breaches; choose another.', { breaches: 3 }).body()
 * // { error: 'breached_password', error_description: 'Seen in 3 breaches; choose another.', field: 'password', fields: { password: '…' }, breaches: 3 }
 */
export function passwordRefused(code: PasswordErrorCode, description: string, details: Record<string, unknown> = {}): PasswordRefusedError {
  return new PasswordRefusedError(code, description, { field: 'password', fields: { password: description }, ...details })
}

import { defineErrorCodes, GuardError, GUARD_ERROR_CODES } from '../errors'

/**
 * The registry of address verification and change. `invalid_verification_code`
 * is the one answer for a code that is wrong, spent, expired, out of tries or
 * another account's (which of these is never said; `attemptsRemaining` tells
 * how many tries the live code has left). `email_verification_required` is the
 * middleware's 403 (and the email-code factor's refusal for an unverified
 * address); `email_taken` the 409 sign-up answers too; the rest are the base
 * registry's very entries.
 */
export const EMAIL_VERIFICATION_ERROR_CODES = defineErrorCodes({
  invalid_verification_code: { status: 400, description: 'That code is not valid: it may be mistyped, used or expired. Ask for a new one.' },
  email_verification_off: { status: 409, description: 'This site does not verify email addresses (account.emailVerification is "off").' },
  email_verification_required: GUARD_ERROR_CODES.email_verification_required,
  email_taken: GUARD_ERROR_CODES.email_taken,
  invalid_request: GUARD_ERROR_CODES.invalid_request,
  too_many_attempts: GUARD_ERROR_CODES.too_many_attempts,
})

export type EmailVerificationErrorCode = keyof typeof EMAIL_VERIFICATION_ERROR_CODES

/**
 * A refusal of address verification or change; status from {@link EMAIL_VERIFICATION_ERROR_CODES}.
 *
 * @example
 * throw new EmailVerificationError('invalid_verification_code', undefined, { attemptsRemaining: 3 })
 * new EmailVerificationError('email_taken').status // 409
 */
export class EmailVerificationError<Code extends EmailVerificationErrorCode = EmailVerificationErrorCode> extends GuardError<Code> {
  static override readonly codes = EMAIL_VERIFICATION_ERROR_CODES
  override name = 'EmailVerificationError'
}

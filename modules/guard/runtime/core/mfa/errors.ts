import { defineErrorCodes, GuardError, GUARD_ERROR_CODES } from '../errors'

/**
 * The MFA registry: each code's HTTP status and default description. Codes the
 * base registry has too (`invalid_request`, `mfa_required`, `not_found`,
 * `too_many_attempts`) are its very entries. The account-state refusals are
 * all 409: `already_enrolled`, `no_pending_enrollment` and `not_enrolled`
 * (the request is well-formed; the account does not have that factor yet —
 * set one up and retry).
 */
export const MFA_ERROR_CODES = defineErrorCodes({
  strategy_disabled: { status: 403, description: 'That factor is switched off on this site; use another factor.' },
  invalid_code: { status: 401, description: 'That code is not valid. Check it and try again.' },
  mfa_token_expired: { status: 401, description: 'The mfa_token has expired; retry the original request to get a new one.' },
  mfa_token_invalid: { status: 401, description: 'The mfa_token is not valid; retry the original request to get a new one.' },
  mfa_token_not_found: { status: 404, description: 'This mfa_token is no longer in use: its session ended or its step-up is already done; retry the original request.' },
  session_expired: { status: 401, description: 'This session has ended; sign in again.' },
  not_enrolled: { status: 409, description: 'That factor is not set up for this account; use another factor.' },
  already_enrolled: { status: 409, description: 'That factor is already set up for this account.' },
  no_pending_enrollment: { status: 409, description: 'Start setting up the factor first.' },
  invalid_request: GUARD_ERROR_CODES.invalid_request,
  mfa_required: GUARD_ERROR_CODES.mfa_required,
  not_found: GUARD_ERROR_CODES.not_found,
  too_many_attempts: GUARD_ERROR_CODES.too_many_attempts,
})

/** Machine-readable reasons an MFA operation was refused. */
export type MfaErrorCode = keyof typeof MFA_ERROR_CODES

/**
 * An MFA refusal with the details the contract names (`attemptsRemaining`,
 * `retryAfterSeconds`, `field`); its status comes from {@link MFA_ERROR_CODES}.
 *
 * @example
 * throw new MfaError('strategy_disabled', 'TOTP is switched off; choose another factor.')
 * new MfaError('not_enrolled').status // 409
 */
export class MfaError<Code extends MfaErrorCode = MfaErrorCode> extends GuardError<Code> {
  static override readonly codes = MFA_ERROR_CODES
  override name = 'MfaError'
}

/**
 * 429 with the wait in seconds.
 *
 * @example
 * throw tooManyAttempts(840)
 */
export function tooManyAttempts(retryAfterSeconds: number): MfaError {
  const minutes = Math.ceil(retryAfterSeconds / 60)
  return new MfaError('too_many_attempts', `Too many attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, { retryAfterSeconds })
}

/** Machine-readable reasons an MFA operation was refused. */
export type MfaErrorCode =
  | 'strategy_disabled' | 'invalid_code' | 'too_many_attempts' | 'mfa_token_expired' | 'mfa_token_invalid'
  | 'invalid_request' | 'not_enrolled' | 'already_enrolled' | 'no_pending_enrollment' | 'mfa_required' | 'session_expired' | 'not_found'

/**
 * An MFA refusal with its HTTP status and the details the contract names
 * (`attemptsRemaining`, `retryAfterSeconds`, `field`); the h3 layer sends it
 * as `{ error, error_description, ...details }`.
 *
 * @example
 * throw new MfaError(403, 'strategy_disabled', 'TOTP is switched off; choose another factor.')
 */
export class MfaError extends Error {
  constructor(
    readonly status: number,
    readonly code: MfaErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) { super(message) }
}

/**
 * 429 with the wait in seconds.
 *
 * @example
 * throw tooManyAttempts(840)
 */
export function tooManyAttempts(retryAfterSeconds: number): MfaError {
  const minutes = Math.ceil(retryAfterSeconds / 60)
  return new MfaError(429, 'too_many_attempts', `Too many attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, { retryAfterSeconds })
}

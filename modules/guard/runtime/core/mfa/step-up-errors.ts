import type { FactorId } from '../config/schema'
import type { GuardErrorBody } from '../errors'
import { MfaError } from './errors'

/**
 * Auth0's step-up errors (nextjs-auth0's `MfaRequiredError`,
 * `MfaTokenExpiredError`, `MfaTokenInvalidError`, `MfaTokenNotFoundError`),
 * for app code to throw and catch. Each is a GuardError with the MFA
 * registry's status, and `toJSON()` is the documented body
 * (`{ error, error_description, ...}`), so `return error` or
 * `JSON.stringify(error)` sends it as Auth0 documents.
 *
 * Thrown from any server handler they answer by themselves: h3 knows its own
 * errors by the static `__h3_error__` marker, which these carry (nothing is
 * imported from h3), so h3 and Nitro answer with their status and the body
 * as `data` — where a plain `Error` would be a 500.
 */

/** Which factors can answer a step-up (`challenge`) or could be set up (`enroll`), as Auth0 shapes `mfa_requirements`. */
export interface MfaRequirements {
  challenge?: { type: FactorId }[]
  enroll?: { type: FactorId }[]
}

/** The Auth0 property names, h3's error fields and `toJSON()`, for the classes below. */
interface AuthZeroShape {
  readonly error: string
  readonly error_description: string
  readonly statusCode: number
  readonly statusMessage: string
  readonly data: GuardErrorBody
  toJSON(): GuardErrorBody
}

/**
 * What the four classes share: h3's error fields (found by h3 through the
 * static `__h3_error__` marker, nothing imported from h3), Auth0's
 * `error` / `error_description`, and `toJSON()` giving the documented body.
 */
abstract class StepUpError<Code extends 'mfa_required' | 'mfa_token_expired' | 'mfa_token_invalid' | 'mfa_token_not_found'> extends MfaError<Code> implements AuthZeroShape {
  static readonly __h3_error__ = true
  readonly fatal = false
  readonly unhandled = false
  get error(): string { return this.answersAs }
  get error_description(): string { return this.description }
  get statusCode(): number { return this.status }
  get statusMessage(): string { return this.answersAs }
  get data(): GuardErrorBody { return this.body() }
  /** `{ error, error_description, ... }`: the body Auth0 documents. */
  toJSON(): GuardErrorBody { return this.body() }
}

/**
 * A step-up token refused (`mfa_token_expired`, `mfa_token_invalid`,
 * `mfa_token_not_found`); catch this class for all three.
 *
 * @example
 * catch (error) { if (error instanceof MfaTokenError) return restartStepUp() }
 */
export class MfaTokenError extends StepUpError<'mfa_token_expired' | 'mfa_token_invalid' | 'mfa_token_not_found'> {
  override name = 'MfaTokenError'
}

/**
 * 401 `mfa_token_expired`: the token outlived its TTL (`mfa.mfaTokenTtlSeconds`,
 * env `NUXT_GUARD_MFA_TOKEN_TTL`). Retry the original request for a new one.
 *
 * @example
 * new MfaTokenExpiredError().toJSON() // { error: 'mfa_token_expired', error_description: 'The mfa_token has expired; retry the original request to get a new one.' }
 */
export class MfaTokenExpiredError extends MfaTokenError {
  override name = 'MfaTokenExpiredError'
  constructor(description?: string) { super('mfa_token_expired', description) }
}

/**
 * 401 `mfa_token_invalid`: altered, not ours (another server secret), not an
 * `mfa_token`, or another live session's.
 *
 * @example
 * new MfaTokenInvalidError().status // 401
 */
export class MfaTokenInvalidError extends MfaTokenError {
  override name = 'MfaTokenInvalidError'
  constructor(description?: string) { super('mfa_token_invalid', description) }
}

/**
 * 404 `mfa_token_not_found`: a well-formed token of ours whose context is
 * gone — its session ended (signed out, revoked, expired), or the step-up it
 * asked for is done (a second factor was completed in its session after it
 * was issued: it was used). Retry the original request (after signing in
 * again, if the session ended).
 *
 * @example
 * new MfaTokenNotFoundError().toJSON() // { error: 'mfa_token_not_found', error_description: '…' }
 */
export class MfaTokenNotFoundError extends MfaTokenError {
  override name = 'MfaTokenNotFoundError'
  constructor(description?: string) { super('mfa_token_not_found', description) }
}

/**
 * 403 `mfa_required` with the step-up `mfa_token` and `mfa_requirements`:
 * what `requireAuth(event, { stepUp })` throws when the session's second
 * factor is older than asked (and the middleware answers for a step-up rule).
 * Constructed like nextjs-auth0's: `(error_description, mfaToken, mfaRequirements?, cause?)`.
 *
 * @example
 * // server/api/transfer.post.ts — Auth0's route: catch it, answer its body with 403.
 * try { await requireAuth(event, { stepUp: { maxAgeSeconds: 300 } }) }
 * catch (error) {
 *   if (error instanceof MfaRequiredError) { setResponseStatus(event, 403); return error.toJSON() }
 *   throw error
 * }
 * // → { error: 'mfa_required', error_description: '…', mfa_token: 'eyJ…', mfa_requirements: { challenge: [{ type: 'totp' }] } }
 */
export class MfaRequiredError extends StepUpError<'mfa_required'> {
  override name = 'MfaRequiredError'
  /** The step-up token to send back with the challenge (POST /api/_guard/mfa/challenge `{ mfaToken }`). */
  readonly mfa_token: string
  readonly mfa_requirements?: MfaRequirements

  constructor(errorDescription: string | undefined, mfaToken: string, mfaRequirements?: MfaRequirements, cause?: unknown) {
    super('mfa_required', errorDescription, mfaRequirements ? { mfa_token: mfaToken, mfa_requirements: mfaRequirements } : { mfa_token: mfaToken }, cause === undefined ? {} : { cause })
    this.mfa_token = mfaToken
    this.mfa_requirements = mfaRequirements
  }
}

/**
 * Whether h3 answers this error by itself (one of the classes above), so it
 * must be thrown as it is rather than wrapped.
 *
 * @example
 * throw rendersItself(error) ? error : toH3Error(event, error)
 */
export function rendersItself(error: unknown): boolean {
  return (error as { constructor?: { __h3_error__?: unknown } } | null)?.constructor?.__h3_error__ === true
}

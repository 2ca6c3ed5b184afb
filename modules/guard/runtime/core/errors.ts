/**
 * One error model for the whole guard. Every refusal the core (and the h3
 * adapter) makes is a `GuardError`; its code's entry in a registry fixes the
 * HTTP status, the default description and whether `Retry-After` is sent.
 * The h3 layer translates a GuardError in one place (`defineGuardHandler`,
 * and `toH3Error` for the public utilities) into the JSON body
 * `{ error, error_description, ...details }`.
 *
 * Registries are per area, like better-auth's per-plugin error codes: this
 * file holds the base codes, core/mfa/errors.ts the MFA ones,
 * core/mfa/webauthn/errors.ts the WebAuthn rejections, core/tokens/session-token.ts
 * the session-token rejections. A subclass names its registry in `static codes`.
 */

/** What a registry fixes for one code. */
export interface ErrorCodeSpec {
  /** The HTTP status every error with this code answers with. */
  status: number
  /** Used when the thrower gives no description of its own. */
  description: string
  /**
   * The body's `error` when it is not the code itself. Two wire names answer
   * with two statuses because the contract already did: `invalid_request`
   * (400 `malformed_request`: the request cannot be read; 422: a field is
   * wrong) and `invalid_code` (401: a wrong answer to a challenge; 400: a
   * passkey registration the WebAuthn checks refused).
   */
  answersAs?: string
  /** Send `Retry-After`: `details.retryAfterSeconds`, else this many seconds. */
  retryAfterSeconds?: number
}

export type ErrorRegistry = Readonly<Record<string, ErrorCodeSpec>>

/**
 * Declares a registry (identity at run time; keeps the literal code names for the types).
 *
 * @example
 * export const MY_CODES = defineErrorCodes({ quota_exceeded: { status: 429, description: 'Slow down.', retryAfterSeconds: 60 } })
 */
export function defineErrorCodes<const R extends ErrorRegistry>(codes: R): R {
  return Object.freeze(codes)
}

/**
 * The base registry. `INVALID_CLAIMS` is the one code not in snake_case: the
 * Clerk/SuperTokens-compatible 403 whose body carries
 * `claimValidationErrors: [{ id: 'mfa', reason: { message, factorId } }]`.
 */
export const GUARD_ERROR_CODES = defineErrorCodes({
  malformed_request: { status: 400, answersAs: 'invalid_request', description: 'The request could not be read.' },
  invalid_request: { status: 422, description: 'The request is not valid.' },
  unsupported_media_type: { status: 415, description: 'Send the request body as JSON with Content-Type: application/json.' },
  cross_origin_request: { status: 403, description: 'Requests from another origin are refused; call this API from the same origin.' },
  unauthenticated: { status: 401, description: 'Sign in to continue.' },
  invalid_credentials: { status: 401, description: 'The email or password is incorrect.' },
  forbidden: { status: 403, description: 'You do not have access to this resource.' },
  mfa_enrollment_required: { status: 403, description: 'Set up a second factor for your account to continue.' },
  mfa_reenrollment_required: { status: 403, description: 'Your second factors are switched off on this site: confirm it is you, then set up another to continue.' },
  INVALID_CLAIMS: { status: 403, description: 'Complete your second factor to continue.' },
  mfa_required: { status: 403, description: 'Confirm it is you with your second factor to continue.' },
  email_verification_required: { status: 403, description: 'Verify your email address to continue: enter the code we emailed you.' },
  organization_required: { status: 403, description: 'Choose one of your organizations (or create one) to continue: this needs an active organization.' },
  not_found: { status: 404, description: 'There is no such thing on your account; reload the list.' },
  user_not_found: { status: 404, description: 'There is no such user; pick one from the users list.' },
  version_not_found: { status: 404, description: 'There is no such config version; pick one from the history.' },
  email_taken: { status: 409, description: 'An account with this email address already exists; sign in instead.' },
  base_url_required: { status: 500, description: 'This email needs a link to the site, and the server does not know its address: set NUXT_GUARD_BASE_URL (e.g. https://app.example.com) or the module\'s baseUrl, and restart.' },
  last_admin: { status: 409, description: 'This is the last admin; give another user the admin role first.' },
  stale_version: { status: 409, description: 'Someone saved a newer config version; reload it, or re-apply your changes on top of it.' },
  payload_too_large: { status: 413, description: 'The request body is too large for this endpoint.' },
  invalid_config: { status: 422, description: 'The config was not saved: it does not validate.' },
  unsafe_config: { status: 422, description: 'The config was not saved: it would lock people out.' },
  invalid_template: { status: 422, description: 'The claims template does not render.' },
  claims_too_large: { status: 422, description: 'The session-token claims would be over the size limit.' },
  too_many_attempts: { status: 429, description: 'Too many attempts; try again later.', retryAfterSeconds: 60 },
  websocket_unsupported: { status: 501, description: 'nuxt-guard judges WebSocket upgrades on the Node server only.' },
  temporarily_unavailable: { status: 503, description: 'The authentication service cannot reach its database or keys; try again shortly.', retryAfterSeconds: 5 },
})

export type GuardErrorCode = keyof typeof GUARD_ERROR_CODES

/** Extra fields of the body: `field`/`fields` for bad input, `retryAfterSeconds`, `attemptsRemaining`, … */
export type GuardErrorDetails = Record<string, unknown>

/** The body of every guard error: `{ error, error_description, ...details }`. */
export interface GuardErrorBody { error: string; error_description: string; [detail: string]: unknown }

/**
 * A refusal with a registered code: `status` and the default description
 * come from the class's registry (`static codes`), never from the thrower.
 * `description` is what the body says; `message` (logs) is the description
 * unless `options.message` gives a technical one that must stay out of the body.
 *
 * @example
 * throw new GuardError('user_not_found', `There is no user ${id}; pick one from the users list.`, { field: 'userId' })
 * new GuardError('too_many_attempts', undefined, { retryAfterSeconds: 840 }).status // 429
 */
export class GuardError<Code extends string = GuardErrorCode> extends Error {
  /** The registry this class's codes are looked up in; a subclass with codes of its own overrides it. */
  static readonly codes: ErrorRegistry = GUARD_ERROR_CODES
  override name = 'GuardError'
  readonly code: Code
  readonly status: number
  /** The body's `error`: the code, or the wire name its registry entry gives. */
  readonly answersAs: string
  readonly description: string
  readonly details: GuardErrorDetails
  /** Seconds for `Retry-After`, when the code sends one. */
  readonly retryAfterSeconds?: number

  constructor(code: NoInfer<Code>, description?: string, details: GuardErrorDetails = {}, options: { cause?: unknown; message?: string } = {}) {
    const spec = (new.target as unknown as { codes: ErrorRegistry }).codes[code]
    if (!spec) throw new TypeError(`[nuxt-guard] unregistered error code "${code}"`)
    super(options.message ?? description ?? spec.description, 'cause' in options ? { cause: options.cause } : undefined)
    this.code = code
    this.status = spec.status
    this.answersAs = spec.answersAs ?? code
    this.description = description ?? spec.description
    this.details = details
    if (spec.retryAfterSeconds !== undefined) this.retryAfterSeconds = Number(details.retryAfterSeconds ?? spec.retryAfterSeconds)
  }

  /**
   * The JSON body the API answers with.
   *
   * @example
   * new GuardError('invalid_request', 'email: enter a valid email address', { field: 'email' }).body()
   * // { error: 'invalid_request', error_description: 'email: enter a valid email address', field: 'email' }
   */
  body(): GuardErrorBody {
    return { error: this.answersAs, error_description: this.description, ...this.details }
  }
}

/**
 * Whether a thrown value is a GuardError (any registry).
 *
 * @example
 * catch (error) { if (isGuardError(error)) return answer(error.status, error.body()) }
 */
export function isGuardError(error: unknown): error is GuardError<string> {
  return error instanceof GuardError
}

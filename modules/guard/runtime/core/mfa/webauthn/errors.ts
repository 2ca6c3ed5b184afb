import { defineErrorCodes, GuardError, type ErrorCodeSpec } from '../../errors'

/**
 * Why a WebAuthn ceremony was refused. Each code names one thing the user or an
 * attacker did; its entry in WEBAUTHN_REJECTION_CODES fixes the HTTP answer.
 */
export const WEBAUTHN_REJECTIONS = [
  /** clientDataJSON.origin is not this site: a phishing page or another app relayed the ceremony. */
  'wrong_origin',
  /** The authenticator data was made for another RP ID (SHA-256 of the domain differs). */
  'wrong_rp_id',
  /** The response signs a challenge that is not the one issued for this ceremony (or it expired). */
  'challenge_mismatch',
  /** The signature counter did not increase: a replayed assertion or a cloned authenticator. */
  'counter_replayed',
  /** The assertion names a credential this user has not registered. */
  'unknown_credential',
  /** The authenticator did not set the user-presence flag (no touch / no confirmation). */
  'user_not_present',
  /** The assertion's signature does not verify with the registered public key. */
  'invalid_signature',
  /** Registration of a credential this user already has. */
  'already_registered',
  /** The page's origin cannot host WebAuthn (not https, and not localhost). */
  'insecure_origin',
  /** Anything else: malformed JSON, wrong ceremony type, unsupported algorithm or attestation. */
  'invalid_response',
] as const

export type WebauthnRejection = typeof WEBAUTHN_REJECTIONS[number]

/**
 * The WebAuthn registry: each refusal's status, the body's `error` and what it
 * tells the user, including what to do next. A refused registration is
 * answered from here (`reason` in the body names the refusal); a refused
 * assertion is answered by the challenge as 401 `invalid_code` with the
 * attempts left.
 */
export const WEBAUTHN_REJECTION_CODES = defineErrorCodes({
  wrong_origin: { status: 400, answersAs: 'invalid_code', description: 'The passkey answered for a different website than this one. Open this site at its own address and try again.' },
  wrong_rp_id: { status: 400, answersAs: 'invalid_code', description: 'The passkey was created for a different domain. Use a passkey registered on this site.' },
  challenge_mismatch: { status: 400, answersAs: 'invalid_code', description: 'This passkey response belongs to another or an expired attempt. Start again to get a fresh request.' },
  counter_replayed: { status: 400, answersAs: 'invalid_code', description: 'The security key\'s signature counter did not increase, so this response was replayed or the key may have been cloned. Try again; if it repeats, remove this key and register it again.' },
  unknown_credential: { status: 400, answersAs: 'invalid_code', description: 'This passkey is not registered to your account. Use one listed under your security settings, or register it first.' },
  user_not_present: { status: 400, answersAs: 'invalid_code', description: 'The authenticator did not confirm that you were present. Touch the key or confirm on your device, then try again.' },
  invalid_signature: { status: 400, answersAs: 'invalid_code', description: 'The passkey\'s signature did not verify. Try again with the passkey registered to this account.' },
  already_registered: { status: 409, answersAs: 'already_enrolled', description: 'This passkey is already registered to your account. Use it to verify, or register a different one.' },
  insecure_origin: { status: 400, answersAs: 'invalid_request', description: 'Passkeys need a secure page: open this site over https (or on localhost during development).' },
  invalid_response: { status: 422, answersAs: 'invalid_request', description: 'The passkey response could not be verified. Try again; if it repeats, use another factor.' },
}) satisfies Record<WebauthnRejection, ErrorCodeSpec>

/**
 * A refused WebAuthn registration or assertion. `code` is stable (its
 * status is in {@link WEBAUTHN_REJECTION_CODES}); `message` is for the user;
 * `detail` is the technical reason, for logs only (never in the body).
 *
 * @example
 * throw new WebauthnRejectedError('wrong_origin', `clientDataJSON.origin ${origin}`)
 * // answered: 400 { error: 'invalid_code', error_description: 'The passkey answered for …', reason: 'wrong_origin' }
 */
export class WebauthnRejectedError extends GuardError<WebauthnRejection> {
  static override readonly codes = WEBAUTHN_REJECTION_CODES
  override readonly name = 'WebauthnRejectedError'
  readonly detail: string | undefined

  constructor(code: WebauthnRejection, detail?: string) {
    super(code, undefined, code === 'invalid_response' ? { field: 'response', reason: code } : { reason: code })
    this.detail = detail
  }
}

/**
 * Whether a value is a WebAuthn refusal, optionally of one code.
 *
 * @example
 * if (isWebauthnRejection(error, 'counter_replayed')) await audit('webauthn.clone_suspected', credentialId)
 */
export function isWebauthnRejection(error: unknown, code?: WebauthnRejection): error is WebauthnRejectedError {
  return error instanceof WebauthnRejectedError && (code === undefined || error.code === code)
}

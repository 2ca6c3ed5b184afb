/**
 * Why a WebAuthn ceremony was refused. Each code names one thing the user or an
 * attacker did; the route maps it to an HTTP error.
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

/** What each refusal tells the user, including what to do next. */
const MESSAGES: Record<WebauthnRejection, string> = {
  wrong_origin: 'The passkey answered for a different website than this one. Open this site at its own address and try again.',
  wrong_rp_id: 'The passkey was created for a different domain. Use a passkey registered on this site.',
  challenge_mismatch: 'This passkey response belongs to another or an expired attempt. Start again to get a fresh request.',
  counter_replayed: 'The security key\'s signature counter did not increase, so this response was replayed or the key may have been cloned. Try again; if it repeats, remove this key and register it again.',
  unknown_credential: 'This passkey is not registered to your account. Use one listed under your security settings, or register it first.',
  user_not_present: 'The authenticator did not confirm that you were present. Touch the key or confirm on your device, then try again.',
  invalid_signature: 'The passkey\'s signature did not verify. Try again with the passkey registered to this account.',
  already_registered: 'This passkey is already registered to your account. Use it to verify, or register a different one.',
  insecure_origin: 'Passkeys need a secure page: open this site over https (or on localhost during development).',
  invalid_response: 'The passkey response could not be verified. Try again; if it repeats, use another factor.',
}

/**
 * A refused WebAuthn registration or assertion. `code` is stable (map it to an HTTP
 * error); `message` is for the user; `detail` is the technical reason, for logs only.
 *
 * @example
 * try {
 *   await verifyWebauthnAuthentication(input)
 * } catch (error) {
 *   if (error instanceof WebauthnRejectedError) throw guardError(401, 'invalid_code', error.message, { reason: error.code })
 *   throw error
 * }
 */
export class WebauthnRejectedError extends Error {
  override readonly name = 'WebauthnRejectedError'
  readonly code: WebauthnRejection
  readonly detail: string | undefined

  constructor(code: WebauthnRejection, detail?: string) {
    super(MESSAGES[code])
    this.code = code
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

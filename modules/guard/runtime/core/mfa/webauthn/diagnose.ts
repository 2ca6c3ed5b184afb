import { createHash } from 'node:crypto'
import { decodeAttestationObject, decodeClientDataJSON, parseAuthenticatorData } from '@simplewebauthn/server/helpers'
import { WebauthnRejectedError } from './errors'

/** What the server expected of a ceremony, to explain a refusal. */
export interface CeremonyExpectations {
  ceremony: 'registration' | 'authentication'
  expectedChallenge: string
  expectedOrigin: string
  expectedRpId: string
  /** The stored signature counter (assertions only). */
  storedCounter?: number
}

const CEREMONY_TYPE = { registration: 'webauthn.create', authentication: 'webauthn.get' } as const

/**
 * Explains why @simplewebauthn/server refused a response. The library stays the judge —
 * this runs only after it has refused — and re-reads the response, in the library's own
 * order, to name the first expectation it breaks, so the caller gets a stable code instead
 * of a library message. Nothing recognisable → `invalid_response` with the library's words.
 *
 * @example
 * try {
 *   await verifyAuthenticationResponse(options)
 * } catch (cause) {
 *   throw explainWebauthnFailure(response, { ceremony: 'authentication', ...expected }, cause)
 * }
 */
export function explainWebauthnFailure(response: unknown, expected: CeremonyExpectations, cause: unknown): WebauthnRejectedError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  const body = (response as { response?: Record<string, unknown> } | null)?.response
  let clientData: ReturnType<typeof decodeClientDataJSON>
  let authData: ReturnType<typeof parseAuthenticatorData>
  try {
    clientData = decodeClientDataJSON(String(body?.clientDataJSON))
    authData = parseAuthenticatorData(authenticatorDataOf(body, expected.ceremony))
  } catch {
    return new WebauthnRejectedError('invalid_response', detail)
  }
  if (clientData.type !== CEREMONY_TYPE[expected.ceremony]) return new WebauthnRejectedError('invalid_response', detail)
  if (clientData.challenge !== expected.expectedChallenge) return new WebauthnRejectedError('challenge_mismatch', detail)
  if (clientData.origin !== expected.expectedOrigin) return new WebauthnRejectedError('wrong_origin', detail)
  const rpIdHash = createHash('sha256').update(expected.expectedRpId).digest()
  if (!rpIdHash.equals(authData.rpIdHash)) return new WebauthnRejectedError('wrong_rp_id', detail)
  if (!authData.flags.up) return new WebauthnRejectedError('user_not_present', detail)
  const stored = expected.storedCounter
  if (stored !== undefined && (authData.counter > 0 || stored > 0) && authData.counter <= stored) {
    return new WebauthnRejectedError('counter_replayed', detail)
  }
  return new WebauthnRejectedError('invalid_response', detail)
}

/** The raw authenticator data: inside the attestation object when registering. */
function authenticatorDataOf(body: Record<string, unknown> | undefined, ceremony: CeremonyExpectations['ceremony']): Uint8Array<ArrayBuffer> {
  if (ceremony === 'authentication') return toBytes(body?.authenticatorData)
  return decodeAttestationObject(toBytes(body?.attestationObject)).get('authData')
}

function toBytes(value: unknown): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string' || !/^[\w-]*={0,2}$/.test(value)) throw new TypeError('not base64url')
  return new Uint8Array(Buffer.from(value, 'base64url'))
}

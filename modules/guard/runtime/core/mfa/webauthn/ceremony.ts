import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { explainWebauthnFailure } from './diagnose'
import { WebauthnRejectedError } from './errors'

export { WebauthnRejectedError, isWebauthnRejection, WEBAUTHN_REJECTIONS, type WebauthnRejection } from './errors'

/**
 * Passkeys and security keys as a second factor, on @simplewebauthn/server. Storage-free:
 * the caller keeps credentials and challenges.
 *
 * Challenges: every `*Options` call returns a fresh `challenge`. Store it server-side with
 * the user/session it was issued to, accept it ONCE (delete it when a verify call is made,
 * whatever the outcome) and only for `WEBAUTHN_CHALLENGE_TTL_SECONDS`. A verify call
 * compares the response to the challenge you pass, so passing a used or expired one
 * reopens replay.
 *
 * Origin: derive `expectedOrigin`/`expectedRpId` with `webauthnRelyingParty` from the
 * URL this server answers on (after the same-origin check), never from a body field.
 */

/** How long a WebAuthn challenge stays valid, and the `timeout` given to the browser. */
export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 300

/** What to store per registered passkey. Every field is JSON-safe. */
export interface StoredWebauthnCredential {
  /** Credential id, base64url — the lookup key; make it unique across all users. */
  credentialId: string
  /** COSE public key, base64url. */
  publicKey: string
  /** Last signature counter seen (0 for authenticators that do not count). */
  counter: number
  /** Transport hints the browser reported ('usb', 'nfc', 'ble', 'internal', 'hybrid'), passed back in options. */
  transports: string[]
  /** Authenticator model (AAGUID), when reported; all zeros for most passkeys. */
  aaguid?: string
  /** Whether the credential is synced (multi-device) and currently backed up. */
  backedUp: boolean
  deviceType: 'singleDevice' | 'multiDevice'
}

export interface WebauthnRelyingParty {
  /** The RP ID: the page's hostname, without port. */
  rpId: string
  /** The exact origin a browser will report in clientDataJSON. */
  origin: string
}

/**
 * The relying party for a page origin. WebAuthn needs a secure context: https, or http on
 * localhost / loopback during development; anything else is `insecure_origin`.
 *
 * @example
 * webauthnRelyingParty('https://app.example.com:8443/mfa')
 * // { rpId: 'app.example.com', origin: 'https://app.example.com:8443' }
 */
export function webauthnRelyingParty(origin: string): WebauthnRelyingParty {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw new WebauthnRejectedError('insecure_origin', `not a URL: ${origin}`)
  }
  const host = url.hostname
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]'
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new WebauthnRejectedError('insecure_origin', `${url.origin} is not a secure context`)
  }
  return { rpId: host, origin: url.origin }
}

const descriptorOf = (credential: StoredWebauthnCredential) => ({ id: credential.credentialId, transports: credential.transports })

/**
 * Options for `navigator.credentials.create()` (send `options` to the browser, store
 * `challenge`). Attestation `none`; user verification and resident key `preferred`; the
 * user's existing credentials are excluded so one key is not registered twice.
 *
 * @example
 * const { rpId } = webauthnRelyingParty(requestOrigin)
 * const { options, challenge } = await webauthnRegistrationOptions({ rpId, rpName: 'Acme', user: { id: user.id, email: user.email }, existing })
 * await saveChallenge(session.id, 'webauthn.register', challenge, WEBAUTHN_CHALLENGE_TTL_SECONDS)
 * return options
 */
export async function webauthnRegistrationOptions(input: {
  rpId: string
  rpName?: string
  user: { id: string, email: string }
  existing?: readonly StoredWebauthnCredential[]
}): Promise<{ options: PublicKeyCredentialCreationOptionsJSON, challenge: string }> {
  const userID = new TextEncoder().encode(input.user.id)
  if (userID.length > 64) throw new RangeError(`WebAuthn user handles are at most 64 bytes; user id ${input.user.id} has ${userID.length}`)
  const options = await generateRegistrationOptions({
    rpID: input.rpId,
    rpName: input.rpName ?? input.rpId,
    userID,
    userName: input.user.email,
    userDisplayName: input.user.email,
    timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: (input.existing ?? []).map(descriptorOf),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  })
  return { options, challenge: options.challenge }
}

/**
 * Verifies a registration response and returns the credential to store. Throws
 * `WebauthnRejectedError` (`wrong_origin`, `wrong_rp_id`, `challenge_mismatch`,
 * `user_not_present`, `already_registered`, `invalid_response`).
 *
 * @example
 * const credential = await verifyWebauthnRegistration({
 *   response: body.response, expectedChallenge: await takeChallenge(session.id, 'webauthn.register'),
 *   expectedOrigin: rp.origin, expectedRpId: rp.rpId, existing,
 * })
 * await insertWebauthnFactor(db, user.id, credential, body.label)
 */
export async function verifyWebauthnRegistration(input: {
  response: unknown
  expectedChallenge: string
  expectedOrigin: string
  expectedRpId: string
  /** The user's registered credentials: registering one of them again is refused. */
  existing?: readonly StoredWebauthnCredential[]
}): Promise<StoredWebauthnCredential> {
  const expected = { ceremony: 'registration' as const, ...input }
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>
  try {
    verification = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: input.expectedOrigin,
      expectedRPID: input.expectedRpId,
      requireUserVerification: false,
    })
  } catch (cause) {
    throw explainWebauthnFailure(input.response, expected, cause)
  }
  if (!verification.verified) throw new WebauthnRejectedError('invalid_response', 'attestation did not verify')
  const info = verification.registrationInfo
  if (input.existing?.some(credential => credential.credentialId === info.credential.id)) {
    throw new WebauthnRejectedError('already_registered', `credential ${info.credential.id}`)
  }
  return {
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    aaguid: info.aaguid,
    backedUp: info.credentialBackedUp,
    deviceType: info.credentialDeviceType,
  }
}

/**
 * Options for `navigator.credentials.get()`, allowing only the user's own credentials.
 *
 * @example
 * const { options, challenge } = await webauthnAuthenticationOptions({ rpId: rp.rpId, credentials })
 * await saveChallenge(session.id, 'webauthn.authenticate', challenge, WEBAUTHN_CHALLENGE_TTL_SECONDS)
 * return options
 */
export async function webauthnAuthenticationOptions(input: {
  rpId: string
  credentials: readonly StoredWebauthnCredential[]
}): Promise<{ options: PublicKeyCredentialRequestOptionsJSON, challenge: string }> {
  const options = await generateAuthenticationOptions({
    rpID: input.rpId,
    allowCredentials: input.credentials.map(descriptorOf),
    userVerification: 'preferred',
    timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
  })
  return { options, challenge: options.challenge }
}

/**
 * Verifies an assertion against the user's credentials. On success, store `newCounter`
 * for `credentialId` with a compare-and-set (`… set counter = $new where counter = $old`)
 * so two racing assertions cannot both pass. A counter that does not increase (when
 * either value is non-zero) is refused as `counter_replayed` — a replay or a cloned key.
 * Also throws `unknown_credential`, `wrong_origin`, `wrong_rp_id`, `challenge_mismatch`,
 * `user_not_present`, `invalid_signature`, `invalid_response`.
 *
 * @example
 * const { credentialId, newCounter } = await verifyWebauthnAuthentication({
 *   response: body.response, expectedChallenge: await takeChallenge(session.id, 'webauthn.authenticate'),
 *   expectedOrigin: rp.origin, expectedRpId: rp.rpId, credentials,
 * })
 * await updateWebauthnCounter(db, credentialId, newCounter)
 */
export async function verifyWebauthnAuthentication(input: {
  response: unknown
  expectedChallenge: string
  expectedOrigin: string
  expectedRpId: string
  /** The user's registered credentials (or just the one looked up by the response's id). */
  credentials: readonly StoredWebauthnCredential[]
}): Promise<{ credentialId: string, newCounter: number, backedUp: boolean, userVerified: boolean }> {
  const credentialId = webauthnCredentialIdOf(input.response)
  const credential = input.credentials.find(candidate => candidate.credentialId === credentialId)
  if (!credential) throw new WebauthnRejectedError('unknown_credential', `credential ${credentialId}`)
  const expected = { ceremony: 'authentication' as const, ...input, storedCounter: credential.counter }
  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>
  try {
    verification = await verifyAuthenticationResponse({
      response: input.response as AuthenticationResponseJSON,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: input.expectedOrigin,
      expectedRPID: input.expectedRpId,
      credential: {
        id: credential.credentialId,
        publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
        counter: credential.counter,
        transports: credential.transports,
      },
      requireUserVerification: false,
    })
  } catch (cause) {
    throw explainWebauthnFailure(input.response, expected, cause)
  }
  if (!verification.verified) throw new WebauthnRejectedError('invalid_signature', `credential ${credentialId}`)
  const info = verification.authenticationInfo
  return { credentialId, newCounter: info.newCounter, backedUp: info.credentialBackedUp, userVerified: info.userVerified }
}

/**
 * The credential id a response claims (base64url), to look the credential up before
 * verifying. Throws `invalid_response` when the body has none.
 *
 * @example
 * const credential = await findWebauthnFactor(db, user.id, webauthnCredentialIdOf(body.response))
 */
export function webauthnCredentialIdOf(response: unknown): string {
  const id = (response as { id?: unknown } | null)?.id
  if (typeof id !== 'string' || id.length === 0) throw new WebauthnRejectedError('invalid_response', 'the response has no credential id')
  return id
}

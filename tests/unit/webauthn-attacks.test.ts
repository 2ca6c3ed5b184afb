/**
 * WebAuthn from the attacker's side. Each forged or replayed response is made with the
 * software authenticator (tests/support/soft-authenticator.ts), which lets the test pick
 * the origin, RP ID, challenge, counter, flags, claimed credential id and signing key.
 * Every refusal is checked by its code, since that is what the route maps to HTTP.
 */
import { describe, expect, it } from 'vitest'
import {
  WebauthnRejectedError,
  verifyWebauthnAuthentication,
  verifyWebauthnRegistration,
  webauthnAuthenticationOptions,
  webauthnRegistrationOptions,
  webauthnRelyingParty,
  type StoredWebauthnCredential,
  type WebauthnRejection,
} from '../../modules/guard/runtime/core/mfa/webauthn/ceremony'
import { FLAG, SoftAuthenticator, type AssertionOptions, type CeremonyOptions } from '../support/soft-authenticator'

const RP = webauthnRelyingParty('https://app.example.test')
const PHISHING_ORIGIN = 'https://app-example-test.login.evil'
const USER = { id: 'user_victim', email: 'victim@example.test' }
const expected = { expectedOrigin: RP.origin, expectedRpId: RP.rpId }

const registrationChallenge = async () => (await webauthnRegistrationOptions({ rpId: RP.rpId, user: USER })).challenge
const assertionChallenge = async (credentials: StoredWebauthnCredential[] = []) =>
  (await webauthnAuthenticationOptions({ rpId: RP.rpId, credentials })).challenge

/** Registers `key` honestly and returns what the server stored. */
async function enrolled(key = new SoftAuthenticator()): Promise<{ key: SoftAuthenticator, credential: StoredWebauthnCredential }> {
  const challenge = await registrationChallenge()
  const response = key.register({ challenge, origin: RP.origin, rpId: RP.rpId })
  return { key, credential: await verifyWebauthnRegistration({ response, expectedChallenge: challenge, ...expected }) }
}

/** The refusal a promise ends in; fails the test when it resolves or throws something else. */
async function refusal(promise: Promise<unknown>): Promise<WebauthnRejectedError> {
  const outcome = await promise.then(value => ({ value }), (error: unknown) => ({ error }))
  if (!('error' in outcome)) throw new Error(`expected a refusal, got ${JSON.stringify(outcome.value)}`)
  expect(outcome.error).toBeInstanceOf(WebauthnRejectedError)
  return outcome.error as WebauthnRejectedError
}

/** Registration answered with `forged` in place of the honest origin / RP ID / flags. */
async function registrationCode(forged: Partial<CeremonyOptions>): Promise<WebauthnRejection> {
  const challenge = await registrationChallenge()
  const response = new SoftAuthenticator().register({ challenge, origin: RP.origin, rpId: RP.rpId, ...forged })
  return (await refusal(verifyWebauthnRegistration({ response, expectedChallenge: challenge, ...expected }))).code
}

/** An assertion for the server's fresh challenge, with `forged` overrides, against `credential`. */
async function assertionCode(key: SoftAuthenticator, credential: StoredWebauthnCredential, forged: Partial<AssertionOptions> = {}) {
  const challenge = await assertionChallenge([credential])
  const response = key.authenticate({ challenge, origin: RP.origin, rpId: RP.rpId, ...forged })
  const error = await refusal(verifyWebauthnAuthentication({ response, expectedChallenge: challenge, ...expected, credentials: [credential] }))
  return error.code
}

describe('a phishing page relays the ceremony (wrong origin)', () => {
  it('registration from another origin is refused: wrong_origin', async () => {
    expect(await registrationCode({ origin: PHISHING_ORIGIN })).toBe('wrong_origin')
    expect(await registrationCode({ origin: 'http://app.example.test' })).toBe('wrong_origin') // downgraded scheme
    expect(await registrationCode({ origin: 'https://app.example.test:8443' })).toBe('wrong_origin') // other port
  })

  it('an assertion collected on another origin is refused: wrong_origin', async () => {
    const { key, credential } = await enrolled()
    expect(await assertionCode(key, credential, { origin: PHISHING_ORIGIN })).toBe('wrong_origin')
    expect(await assertionCode(key, credential, { origin: 'https://evil.app.example.test' })).toBe('wrong_origin')
  })
})

describe('a credential scoped to another relying party (wrong RP ID)', () => {
  it('registration whose authenticator data hashes another RP ID is refused: wrong_rp_id', async () => {
    expect(await registrationCode({ rpId: 'evil.example' })).toBe('wrong_rp_id')
    expect(await registrationCode({ rpId: 'example.test' })).toBe('wrong_rp_id') // the parent domain is not this RP ID
  })

  it('an assertion made for another RP ID is refused: wrong_rp_id', async () => {
    const { key, credential } = await enrolled()
    expect(await assertionCode(key, credential, { rpId: 'evil.example' })).toBe('wrong_rp_id')
    expect(await assertionCode(key, credential, { rpId: 'APP.EXAMPLE.TEST' })).toBe('wrong_rp_id')
  })
})

describe('challenges bind a response to one ceremony', () => {
  it('an assertion answering another ceremony\'s challenge is refused: challenge_mismatch', async () => {
    const { key, credential } = await enrolled()
    const stolen = await assertionChallenge([credential])
    const issued = await assertionChallenge([credential])
    const response = key.authenticate({ challenge: stolen, origin: RP.origin, rpId: RP.rpId })
    const error = await refusal(verifyWebauthnAuthentication({ response, expectedChallenge: issued, ...expected, credentials: [credential] }))
    expect(error.code).toBe('challenge_mismatch')
  })

  it('a registration challenge cannot be spent on an assertion, nor the other way round', async () => {
    const { key, credential } = await enrolled()
    const forRegistration = await registrationChallenge()
    const assertion = key.authenticate({ challenge: forRegistration, origin: RP.origin, rpId: RP.rpId })
    const issued = await assertionChallenge([credential])
    expect((await refusal(verifyWebauthnAuthentication({ response: assertion, expectedChallenge: issued, ...expected, credentials: [credential] }))).code)
      .toBe('challenge_mismatch')

    const forAssertion = await assertionChallenge()
    const registration = new SoftAuthenticator().register({ challenge: forAssertion, origin: RP.origin, rpId: RP.rpId })
    const registrationIssued = await registrationChallenge()
    expect((await refusal(verifyWebauthnRegistration({ response: registration, expectedChallenge: registrationIssued, ...expected }))).code)
      .toBe('challenge_mismatch')
  })

  it('a captured, once-accepted assertion replayed verbatim is refused: challenge_mismatch', async () => {
    const { key, credential } = await enrolled()
    const first = await assertionChallenge([credential])
    const captured = key.authenticate({ challenge: first, origin: RP.origin, rpId: RP.rpId })
    const ok = await verifyWebauthnAuthentication({ response: captured, expectedChallenge: first, ...expected, credentials: [credential] })
    const stored = { ...credential, counter: ok.newCounter }
    const next = await assertionChallenge([stored])
    const error = await refusal(verifyWebauthnAuthentication({ response: captured, expectedChallenge: next, ...expected, credentials: [stored] }))
    expect(error.code).toBe('challenge_mismatch')
  })

  it('a registration response submitted as an assertion (webauthn.create) is refused: invalid_response', async () => {
    const { key, credential } = await enrolled()
    const challenge = await assertionChallenge([credential])
    const response = key.authenticate({ challenge, origin: RP.origin, rpId: RP.rpId, type: 'webauthn.create' })
    const error = await refusal(verifyWebauthnAuthentication({ response, expectedChallenge: challenge, ...expected, credentials: [credential] }))
    expect(error.code).toBe('invalid_response')
  })
})

describe('the signature counter catches replays and cloned keys', () => {
  it('a fresh assertion that repeats the stored counter (a clone) is refused: counter_replayed', async () => {
    const { key, credential } = await enrolled(new SoftAuthenticator({ signCount: 7 }))
    expect(credential.counter).toBe(7)
    expect(await assertionCode(key, credential, { signCount: 7 })).toBe('counter_replayed')
  })

  it('a counter lower than the stored one is refused: counter_replayed', async () => {
    const { key, credential } = await enrolled()
    const stored = { ...credential, counter: 50 }
    expect(await assertionCode(key, stored, { signCount: 49 })).toBe('counter_replayed')
    expect(await assertionCode(key, stored, { signCount: 1 })).toBe('counter_replayed')
  })

  it('a counter that drops back to 0 after counting is refused: counter_replayed', async () => {
    const { key, credential } = await enrolled()
    expect(await assertionCode(key, { ...credential, counter: 3 }, { signCount: 0 })).toBe('counter_replayed')
  })

  it('raising the counter of a captured assertion breaks its signature: invalid_signature', async () => {
    const { key, credential } = await enrolled()
    const challenge = await assertionChallenge([credential])
    const response = key.authenticate({ challenge, origin: RP.origin, rpId: RP.rpId, signCount: 5 })
    const stored = { ...credential, counter: 5 }
    const authData = Buffer.from(response.response.authenticatorData, 'base64url')
    authData.writeUInt32BE(6, 33) // after rpIdHash (32) and flags (1)
    const tampered = { ...response, response: { ...response.response, authenticatorData: authData.toString('base64url') } }
    const error = await refusal(verifyWebauthnAuthentication({ response: tampered, expectedChallenge: challenge, ...expected, credentials: [stored] }))
    expect(error.code).toBe('invalid_signature')
  })
})

describe('the assertion must come from the registered key', () => {
  it('another key claiming the victim\'s credential id is refused: invalid_signature', async () => {
    const { key: victimKey, credential } = await enrolled()
    const impostor = new SoftAuthenticator({ signCount: 1000 })
    expect(await assertionCode(impostor, credential, { credentialId: victimKey.credentialId })).toBe('invalid_signature')
  })

  it('a credential id this user has not registered is refused: unknown_credential', async () => {
    const { credential } = await enrolled()
    const { key: attackersKey } = await enrolled() // registered, but to someone else
    expect(await assertionCode(attackersKey, credential)).toBe('unknown_credential')
    const unregistered = new SoftAuthenticator()
    expect(await assertionCode(unregistered, credential)).toBe('unknown_credential')
  })

  it('a user with no passkeys cannot pass with any response: unknown_credential', async () => {
    const key = new SoftAuthenticator()
    const challenge = await assertionChallenge()
    const response = key.authenticate({ challenge, origin: RP.origin, rpId: RP.rpId })
    const error = await refusal(verifyWebauthnAuthentication({ response, expectedChallenge: challenge, ...expected, credentials: [] }))
    expect(error.code).toBe('unknown_credential')
  })

  it('the same key cannot be registered twice to one account: already_registered', async () => {
    const { key, credential } = await enrolled()
    const challenge = await registrationChallenge()
    const response = key.register({ challenge, origin: RP.origin, rpId: RP.rpId })
    const error = await refusal(verifyWebauthnRegistration({ response, expectedChallenge: challenge, ...expected, existing: [credential] }))
    expect(error.code).toBe('already_registered')
  })
})

describe('user presence is required', () => {
  it('an assertion without the UP flag (no touch) is refused: user_not_present', async () => {
    const { key, credential } = await enrolled()
    expect(await assertionCode(key, credential, { flags: 0 })).toBe('user_not_present')
    expect(await assertionCode(key, credential, { flags: FLAG.UV })).toBe('user_not_present')
  })

  it('a registration without the UP flag is refused: user_not_present', async () => {
    expect(await registrationCode({ flags: FLAG.UV | FLAG.AT })).toBe('user_not_present')
  })
})

describe('malformed bodies', () => {
  it('garbage in place of a response is refused as invalid_response, never a crash', async () => {
    const { key, credential } = await enrolled()
    const challenge = await assertionChallenge([credential])
    const good = key.authenticate({ challenge, origin: RP.origin, rpId: RP.rpId })
    const bodies: unknown[] = [
      { id: credential.credentialId },
      { ...good, response: null },
      { ...good, rawId: 'different' },
      { ...good, type: 'password' },
      { ...good, response: { ...good.response, clientDataJSON: '!!!' } },
      { ...good, response: { ...good.response, authenticatorData: 'AAAA' } },
      { ...good, response: { ...good.response, signature: '' } },
    ]
    for (const body of bodies) {
      const error = await refusal(verifyWebauthnAuthentication({ response: body, expectedChallenge: challenge, ...expected, credentials: [credential] }))
      expect(error.code, JSON.stringify(body).slice(0, 80)).toBe('invalid_response')
    }
    for (const body of [null, 'x', {}, { id: 'x', response: {} }]) {
      const regChallenge = await registrationChallenge()
      const error = await refusal(verifyWebauthnRegistration({ response: body, expectedChallenge: regChallenge, ...expected }))
      expect(error.code).toBe('invalid_response')
    }
  })

  it('refusals tell the user what to do next and keep the library\'s reason for the log only', async () => {
    const { key, credential } = await enrolled()
    const challenge = await assertionChallenge([credential])
    const response = key.authenticate({ challenge, origin: PHISHING_ORIGIN, rpId: RP.rpId })
    const error = await refusal(verifyWebauthnAuthentication({ response, expectedChallenge: challenge, ...expected, credentials: [credential] }))
    expect(error.message).toMatch(/try again/i)
    expect(error.message).not.toContain(PHISHING_ORIGIN)
    expect(error.detail).toContain(PHISHING_ORIGIN)
  })
})

/**
 * WebAuthn as a second factor, the honest path: options a browser can use, a software
 * authenticator (tests/support/soft-authenticator.ts) registering and then asserting,
 * the counter advancing, and the relying party derived from the page origin.
 * The attacks are in webauthn-attacks.test.ts.
 */
import { decodeAttestationObject, isoBase64URL } from '@simplewebauthn/server/helpers'
import { describe, expect, it } from 'vitest'
import {
  WEBAUTHN_CHALLENGE_TTL_SECONDS,
  WebauthnRejectedError,
  verifyWebauthnAuthentication,
  verifyWebauthnRegistration,
  webauthnAuthenticationOptions,
  webauthnCredentialIdOf,
  webauthnRegistrationOptions,
  webauthnRelyingParty,
  type StoredWebauthnCredential,
} from '../../modules/guard/runtime/core/mfa/webauthn/ceremony'
import { FLAG, SOFT_AAGUID, SoftAuthenticator } from '../support/soft-authenticator'

const RP = webauthnRelyingParty('https://app.example.test')
const USER = { id: 'user_ada', email: 'ada@example.test' }
const at = { origin: RP.origin, rpId: RP.rpId }
const expected = { expectedOrigin: RP.origin, expectedRpId: RP.rpId }

async function enroll(key: SoftAuthenticator, flags?: number): Promise<StoredWebauthnCredential> {
  const { challenge } = await webauthnRegistrationOptions({ rpId: RP.rpId, user: USER })
  return verifyWebauthnRegistration({ response: key.register({ challenge, ...at, flags }), expectedChallenge: challenge, ...expected })
}

async function assertWith(key: SoftAuthenticator, credentials: StoredWebauthnCredential[], overrides: { flags?: number, signCount?: number } = {}) {
  const { challenge } = await webauthnAuthenticationOptions({ rpId: RP.rpId, credentials })
  const response = key.authenticate({ challenge, ...at, ...overrides })
  return verifyWebauthnAuthentication({ response, expectedChallenge: challenge, ...expected, credentials })
}

describe('register, then authenticate', () => {
  it('a registered key verifies, and each assertion advances the stored counter', async () => {
    const key = new SoftAuthenticator()
    const credential = await enroll(key)
    expect(credential).toEqual({
      credentialId: key.credentialId,
      publicKey: key.cosePublicKey.toString('base64url'),
      counter: 0,
      transports: ['usb'],
      aaguid: '5f7b6c1e-0a4d-4e2b-9c3f-1d2e3a4b5c6d',
      backedUp: false,
      deviceType: 'singleDevice',
    })
    expect(SOFT_AAGUID.toString('hex')).toBe(credential.aaguid!.replaceAll('-', ''))

    const first = await assertWith(key, [credential])
    expect(first).toEqual({ credentialId: key.credentialId, newCounter: 1, backedUp: false, userVerified: true })
    const second = await assertWith(key, [{ ...credential, counter: first.newCounter }])
    expect(second.newCounter).toBe(2)
  })

  it('the stored credential is JSON-safe: it survives a round trip through a database column', async () => {
    const key = new SoftAuthenticator()
    const stored = JSON.parse(JSON.stringify(await enroll(key))) as StoredWebauthnCredential
    await expect(assertWith(key, [stored])).resolves.toMatchObject({ newCounter: 1 })
  })

  it('picks the asserting key among several of the user\'s credentials', async () => {
    const laptop = new SoftAuthenticator()
    const yubikey = new SoftAuthenticator({ signCount: 41 })
    const credentials = [await enroll(laptop), await enroll(yubikey)]
    expect(credentials[1]!.counter).toBe(41)
    const result = await assertWith(yubikey, credentials)
    expect(result).toMatchObject({ credentialId: yubikey.credentialId, newCounter: 42 })
  })

  it('an authenticator that never counts (always 0, as many passkeys do) is accepted each time', async () => {
    const key = new SoftAuthenticator()
    const credential = await enroll(key)
    expect((await assertWith(key, [credential], { signCount: 0 })).newCounter).toBe(0)
    expect((await assertWith(key, [credential], { signCount: 0 })).newCounter).toBe(0)
  })

  it('user verification is preferred, not required: presence alone completes the second factor', async () => {
    const key = new SoftAuthenticator()
    const credential = await enroll(key, FLAG.UP | FLAG.AT)
    const result = await assertWith(key, [credential], { flags: FLAG.UP })
    expect(result.userVerified).toBe(false)
  })

  it('a synced passkey is recorded as backed up, multi-device', async () => {
    const key = new SoftAuthenticator()
    const credential = await enroll(key, FLAG.UP | FLAG.UV | FLAG.BE | FLAG.BS | FLAG.AT)
    expect(credential).toMatchObject({ backedUp: true, deviceType: 'multiDevice' })
  })

  it('the soft authenticator\'s attestation object is the spec\'s: fmt none, empty attStmt, authData with AT', async () => {
    const key = new SoftAuthenticator()
    const response = key.register({ challenge: 'abc', ...at })
    const decoded = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject))
    expect(decoded.get('fmt')).toBe('none')
    expect(decoded.get('attStmt').size).toBe(0)
    expect(decoded.get('authData')[32]).toBe(FLAG.UP | FLAG.UV | FLAG.AT)
  })
})

describe('options sent to the browser', () => {
  it('registration: attestation none, preferred UV and resident key, 5-minute timeout, existing keys excluded', async () => {
    const existing = await enroll(new SoftAuthenticator())
    const { options, challenge } = await webauthnRegistrationOptions({ rpId: RP.rpId, rpName: 'Acme', user: USER, existing: [existing] })
    expect(options.challenge).toBe(challenge)
    expect(options.rp).toEqual({ id: 'app.example.test', name: 'Acme' })
    expect(options.user).toMatchObject({ id: isoBase64URL.fromUTF8String(USER.id), name: USER.email, displayName: USER.email })
    expect(options.attestation).toBe('none')
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' })
    expect(options.timeout).toBe(WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000)
    expect(options.excludeCredentials).toEqual([{ id: existing.credentialId, type: 'public-key', transports: ['usb'] }])
    expect(options.pubKeyCredParams.map(param => param.alg)).toContain(-7)
  })

  it('every call issues a fresh, unguessable challenge (≥ 32 random bytes)', async () => {
    const challenges = await Promise.all(Array.from({ length: 5 }, () => webauthnRegistrationOptions({ rpId: RP.rpId, user: USER })))
    const values = challenges.map(({ challenge }) => challenge)
    expect(new Set(values).size).toBe(5)
    for (const value of values) expect(isoBase64URL.toBuffer(value).length).toBeGreaterThanOrEqual(32)
    const { challenge } = await webauthnAuthenticationOptions({ rpId: RP.rpId, credentials: [] })
    expect(values).not.toContain(challenge)
  })

  it('a user id longer than a WebAuthn user handle (64 bytes) is refused with the reason', async () => {
    await expect(webauthnRegistrationOptions({ rpId: RP.rpId, user: { id: 'u'.repeat(65), email: USER.email } }))
      .rejects.toThrow(/at most 64 bytes/)
  })

  it('authentication: only the user\'s own credentials are allowed, UV preferred', async () => {
    const credential = await enroll(new SoftAuthenticator())
    const { options, challenge } = await webauthnAuthenticationOptions({ rpId: RP.rpId, credentials: [credential] })
    expect(options).toMatchObject({ rpId: RP.rpId, challenge, userVerification: 'preferred', timeout: 300_000 })
    expect(options.allowCredentials).toEqual([{ id: credential.credentialId, type: 'public-key', transports: ['usb'] }])
  })
})

describe('webauthnRelyingParty', () => {
  it('takes the hostname as RP ID and keeps the port in the origin', () => {
    expect(webauthnRelyingParty('https://app.example.com:8443/account/mfa?x=1')).toEqual({ rpId: 'app.example.com', origin: 'https://app.example.com:8443' })
    expect(webauthnRelyingParty('http://localhost:3000')).toEqual({ rpId: 'localhost', origin: 'http://localhost:3000' })
    expect(webauthnRelyingParty('http://127.0.0.1:4173')).toEqual({ rpId: '127.0.0.1', origin: 'http://127.0.0.1:4173' })
  })

  it('refuses origins where browsers offer no WebAuthn, saying to use https', () => {
    for (const origin of ['http://app.example.com', 'ftp://app.example.com', 'not a url', 'javascript:alert(1)', 'file:///etc/passwd']) {
      let error: unknown
      try { webauthnRelyingParty(origin) } catch (caught) { error = caught }
      expect(error, origin).toBeInstanceOf(WebauthnRejectedError)
      expect((error as WebauthnRejectedError).code).toBe('insecure_origin')
      expect((error as WebauthnRejectedError).message).toMatch(/https/)
    }
  })
})

describe('webauthnCredentialIdOf', () => {
  it('reads the claimed credential id, and refuses a body without one', () => {
    const key = new SoftAuthenticator()
    expect(webauthnCredentialIdOf(key.authenticate({ challenge: 'c', ...at }))).toBe(key.credentialId)
    for (const body of [null, undefined, {}, { id: '' }, { id: 42 }, 'id']) {
      expect(() => webauthnCredentialIdOf(body)).toThrow(WebauthnRejectedError)
    }
  })
})

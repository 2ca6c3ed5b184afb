import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'

/**
 * A software WebAuthn authenticator written from the spec (Level 3, §6.1 authenticator
 * data, §6.5 attestation, §6.3.3 assertion), for tests. It owns an ECDSA P-256 key pair
 * and answers like a browser's `navigator.credentials.create/get` after JSON encoding.
 * Everything an attacker controls is a parameter: origin, RP ID, challenge, signature
 * counter, flags, the credential id it claims, and the key it signs with.
 */

/** Authenticator data flags (WebAuthn §6.1). */
export const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const

/** A fixed AAGUID so tests can check it is carried through registration. */
export const SOFT_AAGUID = Buffer.from('5f7b6c1e0a4d4e2b9c3f1d2e3a4b5c6d', 'hex')

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [key: string]: Cbor }

/** CBOR head: major type in the top 3 bits, then the argument in the shortest form (RFC 8949 §3). */
function cborHead(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value])
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value])
  if (value < 0x10000) return Buffer.from([(major << 5) | 25, value >> 8, value & 0xff])
  const head = Buffer.alloc(5)
  head[0] = (major << 5) | 26
  head.writeUInt32BE(value, 1)
  return head
}

/** A minimal CBOR encoder: unsigned/negative ints, byte and text strings, arrays, maps. */
export function cborEncode(value: Cbor): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > 0xffffffff) throw new TypeError(`cborEncode: unsupported number ${value}`)
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value)
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8')
    return Buffer.concat([cborHead(3, bytes.length), bytes])
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value])
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(cborEncode)])
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value)
  return Buffer.concat([cborHead(5, entries.length), ...entries.flatMap(([key, item]) => [cborEncode(key), cborEncode(item)])])
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest()
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url')

/** COSE_Key for an EC2 P-256 ES256 public key (RFC 9053 §7.1): kty 2, alg -7, crv 1, x, y. */
export function coseKeyOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' })
  return cborEncode(new Map<Cbor, Cbor>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, Buffer.from(jwk.x!, 'base64url')],
    [-3, Buffer.from(jwk.y!, 'base64url')],
  ]))
}

export interface CeremonyOptions {
  /** The base64url challenge from the server's options. */
  challenge: string
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string
  /** The RP ID whose SHA-256 goes into authenticator data. */
  rpId: string
  /** Signature counter to report; defaults to the authenticator's next value. */
  signCount?: number
  /** Authenticator data flags; defaults to UP|UV (plus AT when registering). */
  flags?: number
  /** clientDataJSON.type; defaults to the ceremony's own type. */
  type?: string
}

export interface AssertionOptions extends CeremonyOptions {
  /** The credential id to claim (base64url); defaults to this authenticator's own. */
  credentialId?: string
}

/**
 * One credential on a software authenticator.
 *
 * @example
 * const key = new SoftAuthenticator()
 * const response = key.register({ challenge, origin: 'https://app.example', rpId: 'app.example' })
 * const assertion = key.authenticate({ challenge: next, origin: 'https://app.example', rpId: 'app.example' })
 */
export class SoftAuthenticator {
  readonly credentialId: string
  readonly aaguid: Buffer
  /** The counter reported by the last ceremony; the next one reports one more. */
  signCount: number
  readonly #privateKey: KeyObject
  readonly #publicKey: KeyObject

  constructor(options: { signCount?: number, aaguid?: Buffer } = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.#privateKey = privateKey
    this.#publicKey = publicKey
    this.credentialId = b64url(randomBytes(32))
    this.aaguid = options.aaguid ?? SOFT_AAGUID
    this.signCount = options.signCount ?? 0
  }

  /** The COSE public key as a relying party should store it. */
  get cosePublicKey(): Buffer {
    return coseKeyOf(this.#publicKey)
  }

  /** Answers `navigator.credentials.create()` with a `none` attestation. */
  register(options: CeremonyOptions): RegistrationResponseJSON {
    const counter = this.#nextCount(options.signCount, false)
    const credentialId = Buffer.from(this.credentialId, 'base64url')
    const idLength = Buffer.alloc(2)
    idLength.writeUInt16BE(credentialId.length)
    const attestedCredentialData = Buffer.concat([this.aaguid, idLength, credentialId, this.cosePublicKey])
    const authData = Buffer.concat([
      authenticatorDataHead(options.rpId, options.flags ?? (FLAG.UP | FLAG.UV | FLAG.AT), counter),
      attestedCredentialData,
    ])
    const attestationObject = cborEncode({ fmt: 'none', attStmt: {}, authData })
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: clientData(options.type ?? 'webauthn.create', options),
        attestationObject: b64url(attestationObject),
        transports: ['usb'],
      },
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: {},
    }
  }

  /** Answers `navigator.credentials.get()`: signs `authenticatorData || SHA-256(clientDataJSON)`. */
  authenticate(options: AssertionOptions): AuthenticationResponseJSON {
    const counter = this.#nextCount(options.signCount, true)
    const authenticatorData = authenticatorDataHead(options.rpId, options.flags ?? (FLAG.UP | FLAG.UV), counter)
    const clientDataJSON = clientData(options.type ?? 'webauthn.get', options)
    const signed = Buffer.concat([authenticatorData, sha256(Buffer.from(clientDataJSON, 'base64url'))])
    const signature = sign('sha256', signed, this.#privateKey) // DER-encoded ECDSA for EC keys
    const id = options.credentialId ?? this.credentialId
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON, authenticatorData: b64url(authenticatorData), signature: b64url(signature) },
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: {},
    }
  }

  #nextCount(requested: number | undefined, advance: boolean): number {
    const count = requested ?? (advance ? this.signCount + 1 : this.signCount)
    this.signCount = count
    return count
  }
}

/** rpIdHash (32) | flags (1) | signCount (big-endian u32). */
function authenticatorDataHead(rpId: string, flags: number, signCount: number): Buffer {
  const counter = Buffer.alloc(4)
  counter.writeUInt32BE(signCount)
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter])
}

/** The base64url clientDataJSON a browser would collect. */
function clientData(type: string, { challenge, origin }: CeremonyOptions): string {
  return b64url(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })))
}

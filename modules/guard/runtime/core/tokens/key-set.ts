import { KeyObject } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import { seal, unseal } from '../crypto/sealed'
import { newId } from '../crypto/random'
import type { SigningKeyRow } from '../store/signing-keys'

/** The one algorithm session tokens are signed and verified with. */
export const SESSION_TOKEN_ALG = 'ES256'
/** A key signs new tokens for this long… */
export const KEY_SIGNING_WINDOW_MS = 24 * 3_600_000
/** …and keeps verifying for this long after, which outlives any token it signed. */
export const KEY_VERIFY_GRACE_MS = 2 * 3_600_000

export interface LoadedKey {
  kid: string
  publicJwk: JWK
  publicKey: CryptoKey
  privateKey: CryptoKey
  signUntil: number
  verifyUntil: number
}

/**
 * The in-memory key set: which key signs now, which keys still verify.
 * Lookups only; loading and rotation happen outside the hot path.
 *
 * @example
 * const key = keySet.signingKey(Date.now())
 * const verifier = keySet.verificationKey(header.kid, Date.now())
 */
export class SigningKeySet {
  private readonly byKid: Map<string, LoadedKey>
  /** The public keys as node:crypto KeyObjects, for synchronous verification (verifySessionToken). */
  private readonly keyObjects: Map<string, KeyObject>

  constructor(readonly keys: readonly LoadedKey[]) {
    this.byKid = new Map(keys.map(key => [key.kid, key]))
    this.keyObjects = new Map(keys.map(key => [key.kid, KeyObject.from(key.publicKey)]))
  }

  /** The newest key allowed to sign at `nowMs`, with at least `marginMs` of its window left. */
  signingKey(nowMs: number, marginMs = 0): LoadedKey | undefined {
    let best: LoadedKey | undefined
    for (const key of this.keys) {
      if (key.signUntil - marginMs > nowMs && (!best || key.signUntil > best.signUntil)) best = key
    }
    return best
  }

  verificationKey(kid: string | undefined, nowMs: number): CryptoKey | undefined {
    const key = kid === undefined ? undefined : this.byKid.get(kid)
    return key && key.verifyUntil > nowMs ? key.publicKey : undefined
  }

  /** The same key as {@link verificationKey}, as a node:crypto KeyObject. */
  verificationKeyObject(kid: string | undefined, nowMs: number): KeyObject | undefined {
    return this.verificationKey(kid, nowMs) && this.keyObjects.get(kid!)
  }

  /** The public half of every key that still verifies, as a JWKS. */
  jwks(nowMs: number): { keys: JWK[] } {
    return { keys: this.keys.filter(key => key.verifyUntil > nowMs).map(key => key.publicJwk) }
  }
}

/**
 * Makes a fresh ES256 key pair and the row that stores it (private half sealed).
 *
 * @example
 * const { row } = await generateSigningKey(sealKey, Date.now())
 */
export async function generateSigningKey(sealKey: Uint8Array, nowMs: number): Promise<SigningKeyRow> {
  const { publicKey, privateKey } = await generateKeyPair(SESSION_TOKEN_ALG, { extractable: true })
  const kid = newId('key')
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SESSION_TOKEN_ALG, use: 'sig' }
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SESSION_TOKEN_ALG }
  const signUntil = new Date(nowMs + KEY_SIGNING_WINDOW_MS)
  return {
    kid,
    alg: SESSION_TOKEN_ALG,
    publicJwk,
    privateJwkSealed: await seal(JSON.stringify(privateJwk), sealKey),
    signUntil,
    verifyUntil: new Date(signUntil.getTime() + KEY_VERIFY_GRACE_MS),
  }
}

/**
 * Turns stored rows into usable keys. A row sealed with another secret is
 * skipped (it cannot sign, and its tokens were never ours to trust).
 *
 * @example
 * const keySet = await importSigningKeys(await loadSigningKeys(db, now), sealKey)
 */
export async function importSigningKeys(rows: SigningKeyRow[], sealKey: Uint8Array): Promise<SigningKeySet> {
  const keys: LoadedKey[] = []
  for (const row of rows) {
    if (row.alg !== SESSION_TOKEN_ALG) continue
    const privateJwk = await unseal(row.privateJwkSealed, sealKey).catch(() => undefined)
    if (!privateJwk) continue
    keys.push({
      kid: row.kid,
      publicJwk: row.publicJwk as JWK,
      publicKey: await importJWK(row.publicJwk as JWK, SESSION_TOKEN_ALG) as CryptoKey,
      privateKey: await importJWK(JSON.parse(privateJwk), SESSION_TOKEN_ALG) as CryptoKey,
      signUntil: row.signUntil.getTime(),
      verifyUntil: row.verifyUntil.getTime(),
    })
  }
  return new SigningKeySet(keys)
}

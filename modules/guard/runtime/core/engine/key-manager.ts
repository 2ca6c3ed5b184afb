import type { GuardDatabase } from '../store/db/database'
import { insertSigningKey, loadSigningKeys, lockSigningKeys } from '../store/signing-keys'
import { generateSigningKey, importSigningKeys, SigningKeySet, type LoadedKey } from '../tokens/key-set'

/** Rotate when the signing key has less than this left. */
const ROTATE_MARGIN_MS = 3_600_000
/** An unknown `kid` makes us re-read the key set at most this often. */
const RELOAD_INTERVAL_MS = 10_000

/**
 * Owns the key set: loads it, rotates it when the signing key nears the end
 * of its window, and re-reads it when another instance rotated first.
 * Creation and rotation run under a database lock, so instances that start
 * (or rotate) together end with one signing key, not one each.
 *
 * @example
 * const keys = new KeyManager(db, sealKey, () => Date.now())
 * await keys.init()
 * const key = await keys.signingKey()
 */
export class KeyManager {
  private current = new SigningKeySet([])
  private lastReload = 0
  private rotating: Promise<LoadedKey> | undefined

  constructor(private readonly db: GuardDatabase, private readonly sealKey: Uint8Array, private readonly now: () => number) {}

  get keySet(): SigningKeySet { return this.current }

  async init(): Promise<void> {
    await this.reload()
    await this.signingKey()
  }

  /** The key to sign with now, generating and storing a new one when due. */
  async signingKey(): Promise<LoadedKey> {
    const key = this.current.signingKey(this.now(), ROTATE_MARGIN_MS)
    if (key) return key
    return (this.rotating ??= this.rotate().finally(() => { this.rotating = undefined }))
  }

  /** Re-reads keys after an unknown `kid`; rate-limited so forged kids cannot flood the database. */
  async reloadForUnknownKid(): Promise<boolean> {
    if (this.now() - this.lastReload < RELOAD_INTERVAL_MS) return false
    await this.reload()
    return true
  }

  /** Re-reads the key set now (e.g. after missed notifications); not rate-limited. */
  async reload(): Promise<void> {
    this.lastReload = this.now()
    this.current = await importSigningKeys(await loadSigningKeys(this.db, new Date(this.now())), this.sealKey)
  }

  private async rotate(): Promise<LoadedKey> {
    await this.reload()
    const existing = this.current.signingKey(this.now(), ROTATE_MARGIN_MS)
    if (existing) return existing
    const candidate = await generateSigningKey(this.sealKey, this.now())
    await this.db.transaction(async (tx) => {
      await lockSigningKeys(tx)
      // Another instance may have created one while we waited for the lock: use it.
      const keys = await importSigningKeys(await loadSigningKeys(tx, new Date(this.now())), this.sealKey)
      if (!keys.signingKey(this.now(), ROTATE_MARGIN_MS)) await insertSigningKey(tx, candidate, new Date(this.now()))
    })
    await this.reload()
    const key = this.current.signingKey(this.now())
    if (!key) throw new Error('nuxt-guard could not load the signing key it just created; is NUXT_GUARD_SECRET the same on every instance?')
    return key
  }
}

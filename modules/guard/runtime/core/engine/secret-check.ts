import { unseal } from '../crypto/sealed'
import type { SqlExecutor } from '../store/db/database'
import { sampleSealedFactorSecret } from '../store/factors'
import { loadSigningKeys } from '../store/signing-keys'

/**
 * Refuses to start with a server secret that is not the one the database's
 * sealed data was sealed with (a regenerated `NUXT_GUARD_SECRET`): its
 * signing keys and its users' authenticator-app secrets would not open, so
 * everyone would be signed out and every TOTP answer would fail. Tries one
 * live signing key and one sealed factor secret; a database with neither
 * (a new one) passes. Throws an Error that says what to do.
 *
 * @example
 * await assertSecretOpensDatabase(db, deriveKey(secret, 'seal'), new Date())
 */
export async function assertSecretOpensDatabase(db: SqlExecutor, sealKey: Uint8Array, now: Date): Promise<void> {
  const [key] = await loadSigningKeys(db, now)
  const samples = [key?.privateJwkSealed, await sampleSealedFactorSecret(db)].filter((sealed): sealed is string => Boolean(sealed))
  for (const sealed of samples) {
    if (await unseal(sealed, sealKey).then(() => true, () => false)) continue
    throw new Error(
      'NUXT_GUARD_SECRET is not the secret this database was set up with: its signing keys and its users\' authenticator-app secrets are sealed with another one. '
      + 'Start with the original secret (generate it once and keep it, the same on every instance). '
      + 'If it is lost for good: delete the rows of guard_signing_keys (everyone signs in again) and reset the second factors of the users with an authenticator app (console, Users, Reset MFA).',
    )
  }
}

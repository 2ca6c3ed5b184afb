import type { SqlExecutor } from './db/database'

export interface SigningKeyRow {
  kid: string
  alg: string
  publicJwk: Record<string, unknown>
  privateJwkSealed: string
  signUntil: Date
  verifyUntil: Date
}

/**
 * Keys that may still verify a token at `now`, newest first.
 *
 * @example
 * const rows = await loadSigningKeys(db, new Date())
 */
export async function loadSigningKeys(db: SqlExecutor, now: Date): Promise<SigningKeyRow[]> {
  const rows = await db.query<any>(
    `select kid, alg, public_jwk, private_jwk_sealed, sign_until, verify_until
       from guard_signing_keys where verify_until > $1 order by created_at desc`,
    [now.toISOString()],
  )
  return rows.map(row => ({
    kid: row.kid, alg: row.alg, publicJwk: row.public_jwk, privateJwkSealed: row.private_jwk_sealed,
    signUntil: new Date(row.sign_until), verifyUntil: new Date(row.verify_until),
  }))
}

/**
 * Stores a new key pair (the private half sealed) and deletes keys that can
 * no longer verify anything.
 *
 * @example
 * await insertSigningKey(db, row, new Date())
 */
export async function insertSigningKey(db: SqlExecutor, key: SigningKeyRow, now: Date): Promise<void> {
  await db.query(
    `insert into guard_signing_keys (kid, alg, public_jwk, private_jwk_sealed, sign_until, verify_until)
     values ($1, $2, $3::jsonb, $4, $5, $6)`,
    [key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateJwkSealed, key.signUntil.toISOString(), key.verifyUntil.toISOString()],
  )
  await db.query('delete from guard_signing_keys where verify_until <= $1', [now.toISOString()])
}

/** Advisory lock class of key creation (the second half is the schema's hash, so schemas do not wait on each other). */
const KEY_LOCK_CLASS = 727274002

/**
 * Takes the transaction-scoped lock that serialises key creation and rotation
 * across instances sharing this database (and schema); held until `tx`
 * commits or rolls back. Call it first in the transaction that re-reads the
 * keys and inserts one only when none can sign.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await lockSigningKeys(tx)
 *   if (!(await loadSigningKeys(tx, now)).some(canSign)) await insertSigningKey(tx, row, now)
 * })
 */
export async function lockSigningKeys(tx: SqlExecutor): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1, hashtext(current_schema()))', [KEY_LOCK_CLASS])
}

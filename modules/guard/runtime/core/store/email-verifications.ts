import type { GuardDatabase, SqlExecutor } from './db/database'
import { EmailTakenError, toUserRecord, type UserRecord } from './users'

/**
 * What an emailed code proves: `verify`, that the user holds their current
 * address; `change`, that they hold the new address they asked to move to
 * (`email` is then that new address).
 */
export type EmailVerificationPurpose = 'verify' | 'change'

/** A live code of one user for one purpose: its keyed hash (never the code) and the address it was sent to. */
export interface EmailVerificationRecord {
  id: string
  userId: string
  email: string
  purpose: EmailVerificationPurpose
  codeHash: string
  createdAt: Date
  expiresAt: Date
  attempts: number
}

interface Row { id: string; user_id: string; email: string; purpose: EmailVerificationPurpose; code_hash: string; created_at: string | Date; expires_at: string | Date; attempts: number }

const COLUMNS = 'id, user_id, email, purpose, code_hash, created_at, expires_at, attempts'

const toRecord = (row: Row): EmailVerificationRecord => ({
  id: row.id, userId: row.user_id, email: row.email, purpose: row.purpose, codeHash: row.code_hash,
  createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at), attempts: Number(row.attempts),
})

/**
 * Stores a new code for a user and purpose; in the same statement every
 * earlier unused code of that user and purpose stops working (one live code
 * per user and purpose: the newest email is the one that counts).
 *
 * @example
 * await insertEmailVerification(db, { id, userId, email: 'ada@example.com', purpose: 'verify', codeHash, now, expiresAt })
 */
export async function insertEmailVerification(db: SqlExecutor, input: { id: string; userId: string; email: string; purpose: EmailVerificationPurpose; codeHash: string; now: Date; expiresAt: Date }): Promise<EmailVerificationRecord> {
  const [row] = await db.query<Row>(
    `with gone as (delete from guard_email_verifications where user_id = $2 and purpose = $4 and used_at is null)
     insert into guard_email_verifications (id, user_id, email, purpose, code_hash, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7)
     returning ${COLUMNS}`,
    [input.id, input.userId, input.email, input.purpose, input.codeHash, input.now.toISOString(), input.expiresAt.toISOString()],
  )
  return toRecord(row!)
}

/**
 * Counts one attempt at the user's live code for `purpose` atomically and
 * returns it, or `undefined` when there is none (expired, spent, or out of
 * attempts — `maxAttempts` counts this one).
 *
 * @example
 * const live = await attemptEmailVerification(db, userId, 'verify', 5, new Date())
 */
export async function attemptEmailVerification(db: SqlExecutor, userId: string, purpose: EmailVerificationPurpose, maxAttempts: number, now: Date): Promise<EmailVerificationRecord | undefined> {
  const [row] = await db.query<Row>(
    `update guard_email_verifications set attempts = attempts + 1
      where user_id = $1 and purpose = $2 and used_at is null and expires_at > $3 and attempts < $4
      returning ${COLUMNS}`,
    [userId, purpose, now.toISOString(), maxAttempts],
  )
  return row && toRecord(row)
}

/**
 * The user's live code for `purpose` without counting an attempt (what the
 * account page shows: "a code was sent to new@…"), or `undefined`.
 *
 * @example
 * const pending = await findLiveEmailVerification(db, userId, 'change', new Date()) // { email: 'new@example.com', expiresAt, … }
 */
export async function findLiveEmailVerification(db: SqlExecutor, userId: string, purpose: EmailVerificationPurpose, now: Date): Promise<EmailVerificationRecord | undefined> {
  const [row] = await db.query<Row>(
    `select ${COLUMNS} from guard_email_verifications
      where user_id = $1 and purpose = $2 and used_at is null and expires_at > $3
      order by created_at desc limit 1`,
    [userId, purpose, now.toISOString()],
  )
  return row && toRecord(row)
}

/**
 * Spends a code; `false` when it was already spent (a concurrent request won).
 *
 * @example
 * if (!(await spendEmailVerification(db, live.id, new Date()))) throw invalidCode()
 */
export async function spendEmailVerification(db: SqlExecutor, id: string, now: Date): Promise<boolean> {
  return (await db.query('update guard_email_verifications set used_at = $2 where id = $1 and used_at is null returning id', [id, now.toISOString()])).length > 0
}

/**
 * Deletes a user's codes, of one purpose or all (after the address changed, so
 * no code sent to an earlier address or request still works).
 *
 * @example
 * await deleteEmailVerifications(db, userId)            // every purpose
 * await deleteEmailVerifications(db, userId, 'change')  // a cancelled change
 */
export async function deleteEmailVerifications(db: SqlExecutor, userId: string, purpose?: EmailVerificationPurpose): Promise<number> {
  const rows = purpose
    ? await db.query('delete from guard_email_verifications where user_id = $1 and purpose = $2 returning 1', [userId, purpose])
    : await db.query('delete from guard_email_verifications where user_id = $1 returning 1', [userId])
  return rows.length
}

/**
 * Deletes spent or expired codes; returns how many went.
 *
 * @example
 * await pruneEmailVerifications(db, new Date())
 */
export async function pruneEmailVerifications(db: SqlExecutor, now: Date): Promise<number> {
  return (await db.query('delete from guard_email_verifications where expires_at <= $1 or used_at is not null returning 1', [now.toISOString()])).length
}

/**
 * Uses a matched code, in one transaction: spends it, then applies what it
 * proves to `guard_users` — `verify`: the address is verified, if it is still
 * the one the code was sent to; `change`: the address becomes the code's
 * (verified), and every other unused code of the user stops working. Either
 * bumps the user's claims epoch in the same statement (pass
 * `user.claimsEpoch` to guard.claimsChanged). Resolves to the updated user, or
 * `undefined` (nothing changed) when the code was spent meanwhile or the
 * address moved on. A `change` to an address another account took in the
 * meantime throws EmailTakenError (409) and changes nothing.
 *
 * @example
 * const user = await applyEmailVerification(db, live, new Date())
 * if (user) await guard.claimsChanged(user.id, user.claimsEpoch)
 */
export function applyEmailVerification(db: GuardDatabase, record: EmailVerificationRecord, now: Date): Promise<UserRecord | undefined> {
  return db.transaction(async (tx) => {
    if (!(await spendEmailVerification(tx, record.id, now))) return undefined
    if (record.purpose === 'change' && (await tx.query('select 1 from guard_users where lower(email) = lower($1) and id <> $2', [record.email, record.userId])).length) {
      throw new EmailTakenError()
    }
    const [row] = await tx.query<Parameters<typeof toUserRecord>[0]>(
      record.purpose === 'verify'
        ? `update guard_users set email_verified = true, updated_at = now(), claims_epoch = claims_epoch + 1, claims_changed_at = now()
            where id = $1 and lower(email) = lower($2) returning *`
        : `update guard_users set email = $2, email_verified = true, updated_at = now(), claims_epoch = claims_epoch + 1, claims_changed_at = now()
            where id = $1 returning *`,
      [record.userId, record.email],
    ).catch((error: { code?: string }) => {
      // The unique index on lower(email): another account took the address between the check and the update.
      if (error?.code === '23505') throw new EmailTakenError()
      throw error
    })
    if (!row) return undefined
    // A new address: no code sent for the old one (or for another change) works any more.
    if (record.purpose === 'change') await tx.query('delete from guard_email_verifications where user_id = $1 and used_at is null', [record.userId])
    return toUserRecord(row)
  })
}

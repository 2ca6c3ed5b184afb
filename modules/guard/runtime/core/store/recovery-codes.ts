import type { GuardDatabase, SqlExecutor } from './db/database'

export interface StoredRecoveryCode { id: number; codeHash: string }

/**
 * Replaces a user's recovery codes with a new set of hashes: the old set is
 * void the moment the new one exists.
 *
 * @example
 * await replaceRecoveryCodes(db, userId, hashes)
 */
export function replaceRecoveryCodes(db: GuardDatabase, userId: string, hashes: string[]): Promise<void> {
  return db.transaction(async (tx) => {
    await deleteRecoveryCodes(tx, userId)
    for (const hash of hashes) await tx.query('insert into guard_recovery_codes (user_id, code_hash) values ($1, $2)', [userId, hash])
  })
}

/**
 * The unused recovery codes of a user (hashes only).
 *
 * @example
 * const unused = await unusedRecoveryCodes(db, userId)
 */
export async function unusedRecoveryCodes(db: SqlExecutor, userId: string): Promise<StoredRecoveryCode[]> {
  const rows = await db.query<{ id: string | number; code_hash: string }>('select id, code_hash from guard_recovery_codes where user_id = $1 and used_at is null order by id', [userId])
  return rows.map(row => ({ id: Number(row.id), codeHash: row.code_hash }))
}

/**
 * Spends one recovery code; `false` when it was already spent (a concurrent use won).
 *
 * @example
 * if (!(await spendRecoveryCode(db, match.id, new Date()))) throw invalidCode()
 */
export async function spendRecoveryCode(db: SqlExecutor, id: number, now: Date): Promise<boolean> {
  return (await db.query('update guard_recovery_codes set used_at = $2 where id = $1 and used_at is null returning id', [id, now.toISOString()])).length > 0
}

/**
 * How many unused recovery codes a user has left.
 *
 * @example
 * const remaining = await countRecoveryCodes(db, userId)
 */
export async function countRecoveryCodes(db: SqlExecutor, userId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from guard_recovery_codes where user_id = $1 and used_at is null', [userId])
  return row?.n ?? 0
}

/**
 * Deletes all of a user's recovery codes, used or not (their last factor went,
 * or an admin reset their MFA).
 *
 * @example
 * await deleteRecoveryCodes(tx, userId)
 */
export async function deleteRecoveryCodes(db: SqlExecutor, userId: string): Promise<void> {
  await db.query('delete from guard_recovery_codes where user_id = $1', [userId])
}

import type { FactorId } from '../config/schema'
import type { GuardDatabase, SqlExecutor } from './db/database'
import { deleteEmailCodes } from './email-codes'
import { deleteRecoveryCodes } from './recovery-codes'
import { deleteRememberedDevices } from './remembered-devices'

/** A second factor a user owns (or is enrolling: `confirmedAt` null). */
export interface FactorRecord {
  id: string
  userId: string
  type: Exclude<FactorId, 'recovery_code'>
  label: string
  /** TOTP: the sealed secret. */
  secretSealed: string | null
  /** Type-specific data (WebAuthn: credential id, public key, counter, transports). */
  data: Record<string, unknown>
  /** TOTP: the last time step accepted, so that a code is accepted at most once. */
  lastUsedStep: number | null
  createdAt: Date
  lastUsedAt: Date | null
  confirmedAt: Date | null
}

const COLUMNS = 'id, user_id, type, label, secret_sealed, data, last_used_step, created_at, last_used_at, confirmed_at'
const date = (value: unknown) => (value == null ? null : new Date(value as string))
const toRecord = (row: any): FactorRecord => ({
  id: row.id, userId: row.user_id, type: row.type, label: row.label, secretSealed: row.secret_sealed, data: row.data ?? {},
  lastUsedStep: row.last_used_step == null ? null : Number(row.last_used_step),
  createdAt: new Date(row.created_at), lastUsedAt: date(row.last_used_at), confirmedAt: date(row.confirmed_at),
})

/**
 * Stores a factor; pending (unconfirmed) unless `confirmedAt` is given.
 *
 * @example
 * await insertFactor(db, { id: newId('fac'), userId, type: 'totp', label: 'Authenticator app', secretSealed })
 */
export async function insertFactor(db: SqlExecutor, input: {
  id: string; userId: string; type: FactorRecord['type']; label: string; secretSealed?: string | null; data?: Record<string, unknown>; confirmedAt?: Date; now: Date
}): Promise<FactorRecord> {
  const [row] = await db.query(
    `insert into guard_factors (id, user_id, type, label, secret_sealed, data, created_at, confirmed_at)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) returning ${COLUMNS}`,
    [input.id, input.userId, input.type, input.label, input.secretSealed ?? null, JSON.stringify(input.data ?? {}), input.now.toISOString(), input.confirmedAt?.toISOString() ?? null],
  )
  return toRecord(row)
}

/**
 * A user's factors, oldest first; only confirmed ones unless `pending` is set.
 *
 * @example
 * const enrolled = await listFactors(db, userId)
 */
export async function listFactors(db: SqlExecutor, userId: string, { pending = false, type }: { pending?: boolean; type?: FactorRecord['type'] } = {}): Promise<FactorRecord[]> {
  const rows = await db.query(
    `select ${COLUMNS} from guard_factors where user_id = $1 and ($2::boolean or confirmed_at is not null) and ($3::text is null or type = $3)
      order by created_at, id`,
    [userId, pending, type ?? null],
  )
  return rows.map(toRecord)
}

/**
 * One factor of one user (never another user's).
 *
 * @example
 * const factor = await findFactor(db, userId, factorId)
 */
export async function findFactor(db: SqlExecutor, userId: string, id: string): Promise<FactorRecord | undefined> {
  const [row] = await db.query(`select ${COLUMNS} from guard_factors where user_id = $1 and id = $2`, [userId, id])
  return row && toRecord(row)
}

/**
 * Confirms a pending factor; `false` when it was already confirmed or is gone.
 * Any remembered device of the user is voided: their factors changed.
 *
 * @example
 * if (!(await confirmFactor(db, factor.id, new Date()))) throw alreadyConfirmed()
 */
export async function confirmFactor(db: SqlExecutor, id: string, now: Date): Promise<boolean> {
  const rows = await db.query<{ user_id: string }>(
    'update guard_factors set confirmed_at = $2, last_used_at = $2 where id = $1 and confirmed_at is null returning user_id', [id, now.toISOString()],
  )
  if (rows[0]) await deleteRememberedDevices(db, rows[0].user_id)
  return rows.length > 0
}

/**
 * Accepts TOTP time step `step` for a factor at most once: one conditional
 * UPDATE, so of two concurrent submissions of the same code exactly one wins.
 *
 * @example
 * if (!(await consumeTotpStep(db, factor.id, step, new Date()))) throw replayed()
 */
export async function consumeTotpStep(db: SqlExecutor, id: string, step: number, now: Date): Promise<boolean> {
  const rows = await db.query(
    `update guard_factors set last_used_step = $2, last_used_at = $3
      where id = $1 and (last_used_step is null or last_used_step < $2) returning id`,
    [id, step, now.toISOString()],
  )
  return rows.length > 0
}

/**
 * Marks a factor used now (WebAuthn: with its new data, e.g. the signature counter).
 *
 * @example
 * await touchFactor(db, factor.id, new Date(), { ...factor.data, counter: 8 })
 */
export async function touchFactor(db: SqlExecutor, id: string, now: Date, data?: Record<string, unknown>): Promise<void> {
  await db.query(
    'update guard_factors set last_used_at = $2, data = coalesce($3::jsonb, data) where id = $1',
    [id, now.toISOString(), data === undefined ? null : JSON.stringify(data)],
  )
}

/**
 * Stores a new signature counter only if nobody changed it since it was read
 * (compare-and-set): of two racing assertions, one wins.
 *
 * @example
 * if (!(await updateWebauthnCounter(db, factor.id, 7, 8, new Date()))) throw replayed()
 */
export async function updateWebauthnCounter(db: SqlExecutor, factorId: string, oldCounter: number, newCounter: number, now: Date): Promise<boolean> {
  const rows = await db.query(
    `update guard_factors set data = jsonb_set(data, '{counter}', to_jsonb($3::bigint)), last_used_at = $4
      where id = $1 and type = 'webauthn' and (data->>'counter')::bigint = $2 returning id`,
    [factorId, oldCounter, newCounter, now.toISOString()],
  )
  return rows.length > 0
}

/**
 * Removes one factor of a user. When it was the last confirmed one, the
 * recovery codes go too (they recover a factor the user no longer has).
 * Remembered devices are voided.
 *
 * @example
 * const removed = await deleteFactor(db, userId, factorId)
 */
export function deleteFactor(db: GuardDatabase, userId: string, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx.query('delete from guard_factors where user_id = $1 and id = $2 returning id', [userId, id])
    if (!rows.length) return false
    const [left] = await tx.query<{ n: number }>('select count(*)::int as n from guard_factors where user_id = $1 and confirmed_at is not null', [userId])
    if (!left?.n) await deleteRecoveryCodes(tx, userId)
    await deleteRememberedDevices(tx, userId)
    return true
  })
}

/**
 * One sealed factor secret (the newest), for checking at start-up that the
 * server secret still opens what it sealed; `undefined` when there is none.
 *
 * @example
 * const sample = await sampleSealedFactorSecret(db)
 */
export async function sampleSealedFactorSecret(db: SqlExecutor): Promise<string | undefined> {
  const [row] = await db.query<{ secret_sealed: string }>('select secret_sealed from guard_factors where secret_sealed is not null order by created_at desc limit 1')
  return row?.secret_sealed
}

/**
 * Renames every factor of one type of a user (the email-code factor after
 * the address changed: its label shows the masked new address). Resolves
 * to how many were renamed.
 *
 * @example
 * await relabelFactors(db, userId, 'email_code', maskEmail(newEmail))
 */
export async function relabelFactors(db: SqlExecutor, userId: string, type: FactorRecord['type'], label: string): Promise<number> {
  return (await db.query('update guard_factors set label = $3 where user_id = $1 and type = $2 returning id', [userId, type, label])).length
}

/**
 * Drops pending (never confirmed) factors of one type, before a new enrollment.
 *
 * @example
 * await deletePendingFactors(db, userId, 'totp')
 */
export async function deletePendingFactors(db: SqlExecutor, userId: string, type: FactorRecord['type']): Promise<void> {
  await db.query('delete from guard_factors where user_id = $1 and type = $2 and confirmed_at is null', [userId, type])
}

/**
 * Resets a user's MFA: removes every factor, recovery code, pending email
 * code and remembered device. Returns how many factors were removed.
 *
 * @example
 * const removed = await deleteAllFactors(db, userId) // admin "reset MFA"
 */
export function deleteAllFactors(db: GuardDatabase, userId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const removed = await tx.query('delete from guard_factors where user_id = $1 returning id', [userId])
    await deleteRecoveryCodes(tx, userId)
    await deleteEmailCodes(tx, userId)
    await deleteRememberedDevices(tx, userId)
    return removed.length
  })
}

/**
 * The factor ids a user has enrolled: each confirmed factor type, plus
 * `recovery_code` while unused codes remain next to a real factor.
 *
 * @example
 * await enrolledFactorTypes(db, userId) // ['totp', 'recovery_code']
 */
export async function enrolledFactorTypes(db: SqlExecutor, userId: string): Promise<FactorId[]> {
  return (await enrolledFactorTypesOf(db, [userId])).get(userId) ?? []
}

const FACTOR_ORDER: FactorId[] = ['totp', 'webauthn', 'email_code', 'recovery_code']

/**
 * The enrolled factor types of many users in one query (a page of the
 * console's user list): user id → types, in the same order as
 * {@link enrolledFactorTypes}; users without factors are absent.
 *
 * @example
 * const factors = await enrolledFactorTypesOf(db, users.map(user => user.id))
 * factors.get(user.id) ?? []
 */
export async function enrolledFactorTypesOf(db: SqlExecutor, userIds: string[]): Promise<Map<string, FactorId[]>> {
  const byUser = new Map<string, FactorId[]>()
  if (!userIds.length) return byUser
  const rows = await db.query<{ user_id: string; type: FactorId }>(
    `select user_id, type from guard_factors where user_id = any($1::text[]) and confirmed_at is not null group by user_id, type
     union all
     select r.user_id, 'recovery_code' from guard_recovery_codes r
       where r.user_id = any($1::text[]) and r.used_at is null
         and exists (select 1 from guard_factors f where f.user_id = r.user_id and f.confirmed_at is not null)
       group by r.user_id`,
    [userIds],
  )
  for (const { user_id: userId, type } of rows) byUser.set(userId, [...(byUser.get(userId) ?? []), type])
  for (const types of byUser.values()) types.sort((a, b) => FACTOR_ORDER.indexOf(a) - FACTOR_ORDER.indexOf(b))
  return byUser
}

// ── Who a change of strategy switches strands (read over the confirmed factors) ──

/** How many users a set of strategy switches leaves stranded (every factor they have switched off). */
export interface StrandedCount {
  /** Stranded under the new switches: they would be asked to set up an allowed factor. */
  stranded: number
  /** Of them, not stranded under the current switches: the users this change strands. */
  newlyStranded: number
  /** Of the stranded, those with unused recovery codes. */
  withRecoveryCodes: number
  /** The stranded, by the factors they hold (most users first). */
  groups: { factors: FactorId[]; users: number; newlyStranded: number }[]
  /** Up to 5 of the newly stranded (else of the stranded), by email: someone to try in the simulator. */
  sample: { id: string; email: string }[]
}

/** Per user with a confirmed factor: the types they hold, and whether any is on after ($1) and before ($2) the change. */
const PER_USER = `
  select f.user_id, array_agg(distinct f.type order by f.type) as types,
         bool_or(f.type = any($1::text[])) as usable_after, bool_or(f.type = any($2::text[])) as usable_before
    from guard_factors f where f.confirmed_at is not null group by f.user_id`

/**
 * Counts, in the database and in one pass over the confirmed factors (never
 * user by user), the users whose every factor would be switched off if only
 * the factors in `after` were on, compared with `before` (the live ones);
 * plus a sample of up to 5 of them.
 *
 * @example
 * await countStrandedUsers(db, { after: ['totp', 'webauthn'], before: ['totp', 'webauthn', 'email_code'] })
 * // { stranded: 1, newlyStranded: 1, withRecoveryCodes: 0, groups: [{ factors: ['email_code'], users: 1, newlyStranded: 1 }], sample: [{ id: 'usr_…', email: 'bo@acme.test' }] }
 */
export async function countStrandedUsers(db: SqlExecutor, switches: { after: readonly FactorId[]; before: readonly FactorId[] }): Promise<StrandedCount> {
  const params = [[...switches.after], [...switches.before]]
  const rows = await db.query<{ types: FactorId[]; users: number; newly: number; with_codes: number }>(
    `with per_user as (${PER_USER})
     select p.types, count(*)::int as users, count(*) filter (where p.usable_before)::int as newly,
            count(*) filter (where exists (select 1 from guard_recovery_codes r where r.user_id = p.user_id and r.used_at is null))::int as with_codes
       from per_user p where not p.usable_after group by p.types order by users desc, p.types`,
    params,
  )
  const sum = (pick: (row: typeof rows[number]) => number) => rows.reduce((total, row) => total + pick(row), 0)
  const newlyStranded = sum(row => row.newly)
  const sample = rows.length
    ? await db.query<{ id: string; email: string }>(
      `with per_user as (${PER_USER})
       select u.id, u.email from per_user p join guard_users u on u.id = p.user_id
        where not p.usable_after and (p.usable_before or not $3::boolean) order by u.email limit 5`,
      [...params, newlyStranded > 0],
    )
    : []
  return {
    stranded: sum(row => row.users),
    newlyStranded,
    withRecoveryCodes: sum(row => row.with_codes),
    groups: rows.map(row => ({ factors: row.types, users: row.users, newlyStranded: row.newly })),
    sample: sample.map(row => ({ id: row.id, email: row.email })),
  }
}

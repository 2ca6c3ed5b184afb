import type { FactorId } from '../config/schema'
import type { SqlExecutor } from './db/database'

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

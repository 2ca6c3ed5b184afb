import type { SqlExecutor } from './db/database'

/** One organization (Clerk's Organization): a name, a unique slug, metadata only the server writes. */
export interface OrganizationRecord {
  id: string
  name: string
  /** Unique, compared case-insensitively; stored as given (the service lower-cases it). */
  slug: string
  publicMetadata: Record<string, unknown>
  /** The user who created it; null once that user is deleted. */
  createdBy: string | null
  createdAt: Date
  updatedAt: Date
}

const COLUMNS = 'id, name, slug, public_metadata, created_by, created_at, updated_at'

/** Maps a row of `guard_organizations` (any driver, any alias prefix stripped) to a record. */
export function toOrganizationRecord(row: any): OrganizationRecord {
  return {
    id: row.id, name: row.name, slug: row.slug, publicMetadata: row.public_metadata ?? {},
    createdBy: row.created_by ?? null, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at),
  }
}

/** Whether a driver error is a unique violation (SQLSTATE 23505), on pg and PGlite alike. */
export const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505'

/**
 * Inserts an organization; `undefined` when another one has the slug
 * (case-insensitively), in which case nothing is written.
 *
 * @example
 * const org = await insertOrganization(tx, { id: newId('org'), name: 'Acme', slug: 'acme', createdBy: userId, now })
 * if (!org) throw slugTaken()
 */
export async function insertOrganization(db: SqlExecutor, input: { id: string; name: string; slug: string; createdBy: string; now: Date; publicMetadata?: Record<string, unknown> }): Promise<OrganizationRecord | undefined> {
  const [row] = await db.query<any>(
    `insert into guard_organizations (id, name, slug, public_metadata, created_by, created_at, updated_at)
     values ($1, $2, $3, $4::jsonb, $5, $6, $6)
     on conflict do nothing
     returning ${COLUMNS}`,
    [input.id, input.name, input.slug, JSON.stringify(input.publicMetadata ?? {}), input.createdBy, input.now.toISOString()],
  )
  return row && toOrganizationRecord(row)
}

/**
 * An organization by id.
 *
 * @example
 * const org = await findOrganization(db, 'org_…')
 */
export async function findOrganization(db: SqlExecutor, id: string): Promise<OrganizationRecord | undefined> {
  const [row] = await db.query<any>(`select ${COLUMNS} from guard_organizations where id = $1`, [id])
  return row && toOrganizationRecord(row)
}

/**
 * An organization by slug, case-insensitively.
 *
 * @example
 * await findOrganizationBySlug(db, 'ACME') // the org whose slug is 'acme'
 */
export async function findOrganizationBySlug(db: SqlExecutor, slug: string): Promise<OrganizationRecord | undefined> {
  const [row] = await db.query<any>(`select ${COLUMNS} from guard_organizations where lower(slug) = lower($1)`, [slug])
  return row && toOrganizationRecord(row)
}

/**
 * Locks an organization's row until the transaction ends (`select … for
 * update`), so membership changes of one organization never interleave:
 * the last-admin rule is judged on what is really there. `false` when it is gone.
 *
 * @example
 * await db.transaction(async (tx) => { if (!(await lockOrganization(tx, orgId))) throw notAMember(); … })
 */
export async function lockOrganization(tx: SqlExecutor, id: string): Promise<boolean> {
  return (await tx.query('select id from guard_organizations where id = $1 for update', [id])).length > 0
}

/**
 * Renames an organization and/or changes its slug (fields left out stay);
 * `undefined` when it is gone, `'slug_taken'` when another organization has the slug.
 *
 * @example
 * const result = await updateOrganization(db, orgId, { name: 'Acme Inc.', slug: 'acme-inc' }, new Date())
 */
export async function updateOrganization(db: SqlExecutor, id: string, changes: { name?: string; slug?: string; publicMetadata?: Record<string, unknown> }, now: Date): Promise<OrganizationRecord | 'slug_taken' | undefined> {
  try {
    const [row] = await db.query<any>(
      `update guard_organizations set name = coalesce($2, name), slug = coalesce($3, slug),
              public_metadata = coalesce($4::jsonb, public_metadata), updated_at = $5
        where id = $1 and ($3::text is null or not exists (select 1 from guard_organizations o where lower(o.slug) = lower($3) and o.id <> $1))
        returning ${COLUMNS}`,
      [id, changes.name ?? null, changes.slug ?? null, changes.publicMetadata ? JSON.stringify(changes.publicMetadata) : null, now.toISOString()],
    )
    if (row) return toOrganizationRecord(row)
  }
  catch (error) {
    if (isUniqueViolation(error)) return 'slug_taken'
    throw error
  }
  return (await findOrganization(db, id)) ? 'slug_taken' : undefined
}

/**
 * Deletes an organization: its memberships and invitations go with it, and
 * every session that had it active has none (foreign keys). `false` when it was already gone.
 *
 * @example
 * await deleteOrganization(db, orgId)
 */
export async function deleteOrganization(db: SqlExecutor, id: string): Promise<boolean> {
  return (await db.query('delete from guard_organizations where id = $1 returning id', [id])).length > 0
}

/** An organization as the console lists it: the record and how many members it has. */
export interface OrganizationListItem extends OrganizationRecord { memberCount: number }

const likeEscape = (text: string) => text.replace(/[\\%_]/g, match => `\\${match}`)

/**
 * Every organization (for the console), by name, one page (`limit`,
 * `offset`) and the total; `q` matches a substring of the name or the slug,
 * case-insensitively (`%` and `_` match themselves). Each with its member count.
 *
 * @example
 * const { organizations, total } = await searchOrganizations(db, { q: 'acme', limit: 20, offset: 0 })
 * // organizations: [{ id: 'org_…', name: 'Acme', slug: 'acme', memberCount: 3, … }]
 */
export async function searchOrganizations(db: SqlExecutor, { q, limit, offset }: { q: string; limit: number; offset: number }): Promise<{ organizations: OrganizationListItem[]; total: number }> {
  const pattern = `%${likeEscape(q.trim().toLowerCase())}%`
  const rows = await db.query<any>(
    `select ${COLUMNS.split(', ').map(column => `o.${column}`).join(', ')},
            (select count(*)::int from guard_org_memberships m where m.org_id = o.id) as member_count
       from guard_organizations o
      where lower(o.name) like $1 or lower(o.slug) like $1
      order by lower(o.name), o.id limit $2 offset $3`,
    [pattern, limit, offset],
  )
  const [count] = await db.query<{ total: number }>('select count(*)::int as total from guard_organizations where lower(name) like $1 or lower(slug) like $1', [pattern])
  return { organizations: rows.map(row => ({ ...toOrganizationRecord(row), memberCount: Number(row.member_count) })), total: Number(count?.total ?? 0) }
}

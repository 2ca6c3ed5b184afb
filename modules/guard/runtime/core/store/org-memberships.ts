import type { SqlExecutor } from './db/database'
import type { SessionActiveOrg } from './sessions'
import { toOrganizationRecord, type OrganizationRecord } from './organizations'

/** One user's membership of one organization, with the org role it holds (`org:admin`, …). */
export interface OrgMembershipRecord { orgId: string; userId: string; role: string; createdAt: Date }

/** A member as an organization's member list shows it. */
export interface OrgMemberView { userId: string; email: string; role: string; joinedAt: Date }

/** An organization as one of its members sees it in their list, with their role. */
export interface UserOrgMembership { organization: OrganizationRecord; role: string; joinedAt: Date }

const toMembership = (row: any): OrgMembershipRecord => ({ orgId: row.org_id, userId: row.user_id, role: row.role, createdAt: new Date(row.created_at) })

/**
 * Adds a user to an organization with a role; `false` (nothing written) when
 * they are a member already.
 *
 * @example
 * await insertOrgMembership(tx, { orgId, userId, role: 'org:admin', now })
 */
export async function insertOrgMembership(db: SqlExecutor, input: { orgId: string; userId: string; role: string; now: Date }): Promise<boolean> {
  const rows = await db.query(
    `insert into guard_org_memberships (org_id, user_id, role, created_at) values ($1, $2, $3, $4)
     on conflict (org_id, user_id) do nothing returning org_id`,
    [input.orgId, input.userId, input.role, input.now.toISOString()],
  )
  return rows.length > 0
}

/**
 * A user's membership of an organization, or `undefined` when they are not a member.
 *
 * @example
 * const membership = await findOrgMembership(db, orgId, userId) // { role: 'org:member', … }
 */
export async function findOrgMembership(db: SqlExecutor, orgId: string, userId: string): Promise<OrgMembershipRecord | undefined> {
  const [row] = await db.query<any>('select org_id, user_id, role, created_at from guard_org_memberships where org_id = $1 and user_id = $2', [orgId, userId])
  return row && toMembership(row)
}

/**
 * Whether the user with this email address (case-insensitively) is a member.
 *
 * @example
 * if (await isOrgMemberByEmail(db, orgId, 'ada@example.com')) throw alreadyAMember()
 */
export async function isOrgMemberByEmail(db: SqlExecutor, orgId: string, email: string): Promise<boolean> {
  const rows = await db.query(
    'select 1 from guard_org_memberships m join guard_users u on u.id = m.user_id where m.org_id = $1 and lower(u.email) = lower($2)',
    [orgId, email],
  )
  return rows.length > 0
}

/**
 * An organization's members, oldest first, with their email addresses; one
 * page (`limit`, `offset`) and the total.
 *
 * @example
 * const { members, total } = await listOrgMembers(db, orgId, { limit: 100, offset: 0 })
 */
export async function listOrgMembers(db: SqlExecutor, orgId: string, { limit, offset }: { limit: number; offset: number }): Promise<{ members: OrgMemberView[]; total: number }> {
  const rows = await db.query<any>(
    `select m.user_id, u.email, m.role, m.created_at, count(*) over () as total
       from guard_org_memberships m join guard_users u on u.id = m.user_id
      where m.org_id = $1 order by m.created_at, m.user_id limit $2 offset $3`,
    [orgId, limit, offset],
  )
  const members = rows.map(row => ({ userId: row.user_id, email: row.email, role: row.role, joinedAt: new Date(row.created_at) }))
  const total = rows.length ? Number(rows[0].total) : Number((await db.query<{ n: number }>('select count(*)::int as n from guard_org_memberships where org_id = $1', [orgId]))[0]?.n ?? 0)
  return { members, total }
}

/**
 * The organizations a user belongs to, by name, each with the user's role.
 *
 * @example
 * const mine = await listUserOrgMemberships(db, userId) // [{ organization: { slug: 'acme', … }, role: 'org:admin', joinedAt }]
 */
export async function listUserOrgMemberships(db: SqlExecutor, userId: string): Promise<UserOrgMembership[]> {
  const rows = await db.query<any>(
    `select o.id, o.name, o.slug, o.public_metadata, o.created_by, o.created_at, o.updated_at, m.role, m.created_at as joined_at
       from guard_org_memberships m join guard_organizations o on o.id = m.org_id
      where m.user_id = $1 order by lower(o.name), o.id`,
    [userId],
  )
  return rows.map(row => ({ organization: toOrganizationRecord(row), role: row.role, joinedAt: new Date(row.joined_at) }))
}

/**
 * Gives a member another role; the membership before and after, or `undefined` when they are not a member.
 *
 * @example
 * const changed = await setOrgMemberRole(tx, orgId, userId, 'org:admin') // { before: 'org:member', after: { role: 'org:admin', … } }
 */
export async function setOrgMemberRole(db: SqlExecutor, orgId: string, userId: string, role: string): Promise<{ before: string; after: OrgMembershipRecord } | undefined> {
  const [row] = await db.query<any>(
    `update guard_org_memberships m set role = $3 from guard_org_memberships old
      where m.org_id = $1 and m.user_id = $2 and old.org_id = m.org_id and old.user_id = m.user_id
      returning m.org_id, m.user_id, m.role, m.created_at, old.role as before`,
    [orgId, userId, role],
  )
  return row && { before: row.before, after: toMembership(row) }
}

/**
 * Removes a member; the role they held, or `undefined` when they were not a member.
 *
 * @example
 * const role = await deleteOrgMembership(tx, orgId, userId)
 */
export async function deleteOrgMembership(db: SqlExecutor, orgId: string, userId: string): Promise<string | undefined> {
  const [row] = await db.query<{ role: string }>('delete from guard_org_memberships where org_id = $1 and user_id = $2 returning role', [orgId, userId])
  return row?.role
}

/**
 * How many members of an organization hold a role.
 *
 * @example
 * if (await countOrgMembersWithRole(tx, orgId, 'org:admin') <= 1) throw lastOrgAdmin()
 */
export async function countOrgMembersWithRole(db: SqlExecutor, orgId: string, role: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from guard_org_memberships where org_id = $1 and role = $2', [orgId, role])
  return Number(row?.n ?? 0)
}

/**
 * The active organization of a session with the session user's role in it,
 * read in one statement; `undefined` when the session has none, or its user
 * is no longer a member of it (a removal that raced a switch counts as none).
 *
 * @example
 * const active = await activeOrgMembershipOfSession(db, sessionId) // { organization: { slug: 'acme', … }, role: 'org:member' }
 */
export async function activeOrgMembershipOfSession(db: SqlExecutor, sessionId: string): Promise<{ organization: OrganizationRecord; role: string } | undefined> {
  const [row] = await db.query<any>(
    `select o.id, o.name, o.slug, o.public_metadata, o.created_by, o.created_at, o.updated_at, m.role
       from guard_sessions s
       join guard_org_memberships m on m.org_id = s.active_org_id and m.user_id = s.user_id
       join guard_organizations o on o.id = m.org_id
      where s.id = $1`,
    [sessionId],
  )
  return row && { organization: toOrganizationRecord(row), role: row.role }
}

/**
 * The ids of every member of an organization.
 *
 * @example
 * const memberIds = await listOrgMemberIds(tx, orgId) // before deleting it
 */
export async function listOrgMemberIds(db: SqlExecutor, orgId: string): Promise<string[]> {
  return (await db.query<{ user_id: string }>('select user_id from guard_org_memberships where org_id = $1', [orgId])).map(row => row.user_id)
}

/** An organization where a user is the only holder of a role, with how many other members it has. */
export interface SoleRoleOrganization { orgId: string; name: string; otherMembers: number }

/**
 * The organizations where `userId` is the only member with `role` (e.g. the
 * last `org:admin`), with how many other members each has: what deleting the
 * account must settle first.
 *
 * @example
 * const orgs = await organizationsWhereSoleRole(tx, userId, 'org:admin')
 * // [{ orgId: 'org_…', name: 'Acme', otherMembers: 3 }]
 */
export async function organizationsWhereSoleRole(db: SqlExecutor, userId: string, role: string): Promise<SoleRoleOrganization[]> {
  const rows = await db.query<{ org_id: string; name: string; other_members: number }>(
    `select m.org_id, o.name,
            (select count(*)::int from guard_org_memberships x where x.org_id = m.org_id and x.user_id <> $1) as other_members
       from guard_org_memberships m join guard_organizations o on o.id = m.org_id
      where m.user_id = $1 and m.role = $2
        and not exists (select 1 from guard_org_memberships y where y.org_id = m.org_id and y.user_id <> $1 and y.role = $2)
      order by o.name`,
    [userId, role],
  )
  return rows.map(row => ({ orgId: row.org_id, name: row.name, otherMembers: row.other_members }))
}

/**
 * Each of these users' organizations as the claims template reads an active
 * one (`{{org.id}}`, `slug`, the user's `role`, `public_metadata`), for
 * checking the size of every token a user could hold. One read.
 *
 * @example
 * const orgs = await claimsOrganizationsOf(db, ['user_1']) // Map { 'user_1' => [{ id: 'org_1', slug: 'acme', role: 'org:admin', publicMetadata: {} }] }
 */
export async function claimsOrganizationsOf(db: SqlExecutor, userIds: string[]): Promise<Map<string, SessionActiveOrg[]>> {
  const byUser = new Map<string, SessionActiveOrg[]>()
  if (!userIds.length) return byUser
  const rows = await db.query<{ user_id: string; id: string; slug: string; role: string; public_metadata: Record<string, unknown> | string | null }>(
    `select m.user_id, o.id, o.slug, m.role, o.public_metadata
       from guard_org_memberships m join guard_organizations o on o.id = m.org_id
      where m.user_id = any($1::text[]) order by m.user_id, o.id`,
    [userIds],
  )
  for (const row of rows) {
    const metadata = typeof row.public_metadata === 'string' ? JSON.parse(row.public_metadata) : row.public_metadata
    const list = byUser.get(row.user_id) ?? []
    list.push({ id: row.id, slug: row.slug, role: row.role, publicMetadata: metadata ?? {} })
    byUser.set(row.user_id, list)
  }
  return byUser
}

import { claimsOverflow, overflowMessage, type ClaimsOverflow } from '../claims/limit'
import { GuardError } from '../errors'
import type { FactorId } from '../config/schema'
import { renderClaims } from '../claims/template'
import { claimsOrganization } from '../organizations/claims'
import type { CompiledPolicy } from '../policy/compile'
import type { SqlExecutor } from '../store/db/database'
import { enrolledFactorTypes, enrolledFactorTypesOf } from '../store/factors'
import { claimsOrganizationsOf } from '../store/org-memberships'
import type { SessionActiveOrg } from '../store/sessions'
import { toUserRecord, type UserRecord } from '../store/users'
import { toClaimsUser } from './sessions'

/** A user whose session-token claims would be over the limit, and by how much (`org`: with that organization active). */
export interface UserClaimsOverflow extends ClaimsOverflow { userId: string; email: string; org?: { id: string; slug: string } }

/** Users rendered per query while a whole template is checked. */
const PAGE_SIZE = 500
const USER_COLUMNS = 'u.id, u.email, u.email_verified, u.password_hash, u.roles, u.public_metadata, u.created_at'

/**
 * Whether the template reads the active organization (`{{org.*}}`) while
 * organizations are on: only then does a token's size depend on which one
 * is active, and each membership is rendered.
 */
const readsOrganization = (policy: CompiledPolicy) =>
  policy.config.organizations.enabled && JSON.stringify(policy.config.claims.template).includes('{{org.')

/** The first rendering over the limit: without an active organization, then with each of `orgs`. */
function firstOverflow(policy: CompiledPolicy, user: UserRecord, enrolled: readonly FactorId[], orgs: readonly (SessionActiveOrg | undefined)[]): UserClaimsOverflow | undefined {
  for (const org of orgs) {
    const overflow = claimsOverflow(renderClaims(policy.config.claims.template, toClaimsUser(user, policy, enrolled, claimsOrganization(org))))
    if (overflow) return { ...overflow, userId: user.id, email: user.email, ...(org ? { org: { id: org.id, slug: org.slug } } : {}) }
  }
  return undefined
}

/**
 * Who a 422 names: `user ada@example.com (user_1)`, and the organization
 * when the overflow happens only with it active.
 *
 * @example
 * overflowSubject({ email: 'ada@example.com', userId: 'user_1', org: { id: 'org_1', slug: 'acme' } }) // 'user ada@example.com (user_1) with the organization acme active'
 */
export function overflowSubject(overflow: Pick<UserClaimsOverflow, 'email' | 'userId' | 'org'>): string {
  return `user ${overflow.email} (${overflow.userId})${overflow.org ? ` with the organization ${overflow.org.slug} active` : ''}`
}

/**
 * 422 `claims_too_large` for a change an admin is saving: names the field,
 * the claim, the user (and organization) and the sizes, and says what to do.
 *
 * @example
 * if (overflow) throw claimsTooLarge('publicMetadata', overflow)
 */
export function claimsTooLarge(field: string, overflow: UserClaimsOverflow): GuardError<'claims_too_large'> {
  return new GuardError('claims_too_large', `${field}: ${overflowMessage(overflow, overflowSubject(overflow))}; shorten it, or change the claims template first`, {
    field, claim: overflow.claim, bytes: overflow.bytes, limitBytes: overflow.limitBytes,
  })
}

/**
 * Renders `policy`'s claims template for one user as the user would be after
 * a change (new roles, new metadata) — with no organization active and, when
 * the template reads `{{org.*}}`, with each of theirs — and returns the first
 * rendering over the size limit, or `undefined` when all fit. Checked where
 * an admin saves that change, so that the user's next sign-in cannot fail.
 *
 * @example
 * const overflow = await userClaimsOverflow(db, guard.live.policy, { ...user, publicMetadata })
 * if (overflow) refuse422(overflowMessage(overflow, overflowSubject(overflow)))
 */
export async function userClaimsOverflow(db: SqlExecutor, policy: CompiledPolicy, user: UserRecord): Promise<UserClaimsOverflow | undefined> {
  const orgs = readsOrganization(policy) ? (await claimsOrganizationsOf(db, [user.id])).get(user.id) ?? [] : []
  return firstOverflow(policy, user, await enrolledFactorTypes(db, user.id), [undefined, ...orgs])
}

/**
 * Renders `policy`'s claims template for every user (in pages, all of them:
 * a template that reads user data is only safe if it fits each real user;
 * with each of their organizations active too when it reads `{{org.*}}`)
 * and returns the first rendering too large. A template without shortcodes
 * renders the same for everyone: the config validation's check covers it.
 *
 * @example
 * const overflow = await findClaimsOverflow(db, compilePolicy(config, 0))
 * if (overflow) refuse422(`claims.template.${overflow.claim}`, overflowMessage(overflow, overflowSubject(overflow)))
 */
export async function findClaimsOverflow(db: SqlExecutor, policy: CompiledPolicy): Promise<UserClaimsOverflow | undefined> {
  if (!JSON.stringify(policy.config.claims.template).includes('{{')) return undefined
  const sql = `select ${USER_COLUMNS} from guard_users u where u.id > $1 order by u.id limit ${PAGE_SIZE}`
  return scanUsers(db, policy, sql, [], async (rows) => {
    const orgs = readsOrganization(policy) ? await claimsOrganizationsOf(db, rows.map(row => row.id)) : undefined
    return user => [undefined, ...(orgs?.get(user.id) ?? [])]
  })
}

/**
 * Renders `policy`'s claims template for every member of one organization
 * with it active, as it would be with `org` (e.g. new public metadata), and
 * returns the first rendering too large; `undefined` when all fit or the
 * template does not read `{{org.*}}`.
 *
 * @example
 * const overflow = await orgClaimsOverflow(db, guard.live.policy, { id, slug, publicMetadata: { plan: 'pro' } })
 */
export async function orgClaimsOverflow(db: SqlExecutor, policy: CompiledPolicy, org: Omit<SessionActiveOrg, 'role'>): Promise<UserClaimsOverflow | undefined> {
  if (!readsOrganization(policy)) return undefined
  const sql = `select ${USER_COLUMNS}, m.role as org_role from guard_org_memberships m join guard_users u on u.id = m.user_id
     where m.org_id = $2 and u.id > $1 order by u.id limit ${PAGE_SIZE}`
  return scanUsers(db, policy, sql, [org.id], async (rows) => {
    const roles = new Map<string, string>(rows.map(row => [row.id, row.org_role]))
    return user => [{ ...org, role: roles.get(user.id)! }]
  })
}

/** For one page of rows: the organizations each of its users is rendered with (`undefined`: none active). */
type PageOrgs = (rows: any[]) => Promise<(user: UserRecord) => readonly (SessionActiveOrg | undefined)[]>

/** Pages through the users a statement selects (`$1`: the last id of the page before) and renders each with its organizations. */
async function scanUsers(db: SqlExecutor, policy: CompiledPolicy, sql: string, params: unknown[], pageOrgs: PageOrgs): Promise<UserClaimsOverflow | undefined> {
  let after = ''
  for (;;) {
    const rows = await db.query<any>(sql, [after, ...params])
    if (!rows.length) return undefined
    const users = rows.map(toUserRecord)
    const factors = await enrolledFactorTypesOf(db, users.map(user => user.id))
    const orgsOf = await pageOrgs(rows)
    for (const user of users) {
      const overflow = firstOverflow(policy, user, factors.get(user.id) ?? [], orgsOf(user))
      if (overflow) return overflow
    }
    if (rows.length < PAGE_SIZE) return undefined
    after = users[users.length - 1]!.id
  }
}

import { newId } from '../crypto/random'
import type { Guard } from '../engine/create-guard'
import { writeAudit } from '../store/audit'
import { insertOrgMembership, listUserOrgMemberships } from '../store/org-memberships'
import { insertOrganization } from '../store/organizations'
import { hitRateLimit, type RateLimitRule } from '../store/rate-limits'
import { findUserById } from '../store/users'
import { isOperator, organizationsConfig, organizationsSectionFor, orgClaimsChanged, requireOrgMember, type OrgActor } from './access'
import { OrganizationError } from './errors'
import { ORG_ADMIN_ROLE, orgPermissionsOf } from './roles'
import { SLUG_PATTERN, slugFromName, type CreateOrganizationInput } from './schema'
import { organizationView, type OrganizationView } from './views'

/** Organizations one user may create, per hour. */
export const ORG_CREATE_RULE: RateLimitRule = { limit: 20, windowSeconds: 3_600, blockSeconds: 3_600 }

/**
 * Creates an organization; its creator becomes its first `org:admin`. The
 * slug (lower case; made from the name when not given) must be free,
 * case-insensitively. Refused with 403 `organizations_disabled`, 403
 * `organization_creation_disabled` (config `organizations.usersCanCreate:
 * false` and the user lacks `guard:admin`), 422 `invalid_request` (`slug`:
 * the name gives none), 409 `slug_taken`, 429 past 20 per user per hour.
 * Audited as `organization.create`.
 *
 * A console operator (`actor.kind: 'operator'`) creates it for `options.ownerId`
 * (its first org:admin; default the operator), whether or not organizations
 * are switched on, with neither the `usersCanCreate` check nor the rate limit.
 *
 * @example
 * const org = await createOrganization(guard, { userId, ip }, { name: 'Acme' }) // { slug: 'acme', role: 'org:admin', … }
 * await createOrganization(guard, { userId: operatorId, kind: 'operator' }, { name: 'Acme' }, { ownerId })
 */
export async function createOrganization(guard: Guard, actor: OrgActor, input: CreateOrganizationInput, options: { ownerId?: string } = {}): Promise<OrganizationView> {
  const operator = isOperator(actor)
  const ownerId = operator ? options.ownerId ?? actor.userId : actor.userId
  const section = organizationsSectionFor(guard, actor)
  if (!operator && !section.usersCanCreate) {
    const user = await findUserById(guard.db, actor.userId)
    if (!user || !guard.live.policy.permissionsFor(user.roles).has('guard:admin')) throw new OrganizationError('organization_creation_disabled')
  }
  const slug = input.slug ?? slugFromName(input.name)
  if (!SLUG_PATTERN.test(slug)) throw new OrganizationError('invalid_request', 'slug: choose a slug of 2 to 64 lower-case letters, digits and dashes', { field: 'slug' })
  const now = guard.mfa.nowDate()
  if (!operator) {
    const hit = await hitRateLimit(guard.db, `org-create:${actor.userId}`, ORG_CREATE_RULE, now)
    if (!hit.allowed) throw new OrganizationError('too_many_attempts', 'You created many organizations in a short time; try again later.', { retryAfterSeconds: hit.retryAfterSeconds })
  }
  const org = await guard.db.transaction(async (tx) => {
    const created = await insertOrganization(tx, { id: newId('org'), name: input.name, slug, createdBy: actor.userId, now })
    if (!created) throw new OrganizationError('slug_taken', undefined, { field: 'slug' })
    await insertOrgMembership(tx, { orgId: created.id, userId: ownerId, role: ORG_ADMIN_ROLE, now })
    await writeAudit(tx, { actorId: actor.userId, action: 'organization.create', target: created.id, before: null, after: { name: created.name, slug: created.slug, ownerId }, ip: actor.ip })
    return created
  })
  await orgClaimsChanged(guard, [ownerId])
  return organizationView(org, ORG_ADMIN_ROLE, orgPermissionsOf(section.roles, ORG_ADMIN_ROLE))
}

/**
 * The organizations the user belongs to, by name, each with their role and permissions.
 *
 * @example
 * const organizations = await listMyOrganizations(guard, userId)
 */
export async function listMyOrganizations(guard: Guard, userId: string): Promise<OrganizationView[]> {
  const { roles } = organizationsConfig(guard)
  return (await listUserOrgMemberships(guard.db, userId)).map(({ organization, role }) => organizationView(organization, role, orgPermissionsOf(roles, role)))
}

/**
 * One organization as its member sees it; 403 `not_a_member` otherwise (also for an unknown id).
 *
 * @example
 * const org = await getOrganization(guard, orgId, userId)
 */
export async function getOrganization(guard: Guard, orgId: string, userId: string): Promise<OrganizationView> {
  const { organization, membership, permissions } = await requireOrgMember(guard, orgId, userId)
  return organizationView(organization, membership.role, permissions)
}

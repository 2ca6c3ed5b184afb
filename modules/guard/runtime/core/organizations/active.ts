import type { GuardConfig } from '../config/schema'
import type { Guard } from '../engine/create-guard'
import type { SqlExecutor } from '../store/db/database'
import { writeAudit } from '../store/audit'
import { activeOrgMembershipOfSession } from '../store/org-memberships'
import { sessionActiveOrgId, setSessionActiveOrg } from '../store/sessions'
import { organizationsConfig, orgClaimsChanged, type OrgActor } from './access'
import { OrganizationError } from './errors'
import { orgPermissionsOf } from './roles'
import { organizationView, type OrganizationView } from './views'

/**
 * What a session token carries about its session's active organization —
 * Clerk's session-token claims (v1 names): `org_id`, `org_slug`, `org_role`
 * and `org_permissions` (the role's permissions in the live config's
 * `organizations.roles`).
 */
export interface ActiveOrgClaims { org_id: string; org_slug: string; org_role: string; org_permissions: string[] }

/**
 * The organization claims of a session, for the token minted for it and the
 * policy that judges it: one read (session → membership → organization).
 * `undefined` when organizations are switched off, the session has no
 * active organization, or its user is no longer a member of it (removed,
 * left, the organization deleted). Call it at every mint: the result changes
 * with the session's switch, the member's role, the slug and the config.
 *
 * @example
 * const org = await activeOrgClaims(db, session.id, policy.config.organizations)
 * // { org_id: 'org_…', org_slug: 'acme', org_role: 'org:admin', org_permissions: ['org:sys_profile:manage', …] } | undefined
 */
export async function activeOrgClaims(db: SqlExecutor, sessionId: string, organizations: GuardConfig['organizations']): Promise<ActiveOrgClaims | undefined> {
  if (!organizations.enabled) return undefined
  const active = await activeOrgMembershipOfSession(db, sessionId)
  if (!active) return undefined
  return { org_id: active.organization.id, org_slug: active.organization.slug, org_role: active.role, org_permissions: orgPermissionsOf(organizations.roles, active.role) }
}

/**
 * Sets (or, with `null`, clears) the active organization of the caller's
 * session. The user must be a member at that moment (checked in the same
 * statement that sets it): else 403 `not_a_member`, and the session keeps
 * the organization it had. Every instance then treats the user's earlier
 * tokens as stale (re-minted at their next request): a copy of this
 * session's token minted before the switch never carries the old
 * organization past it. The caller re-mints this session's token in the
 * same response (`guard.sessions.renew`). Audited as `session.active_organization`.
 *
 * @example
 * const active = await setActiveOrganization(guard, { userId, ip }, sessionId, orgId) // { id: orgId, role: 'org:member', … }
 * await setActiveOrganization(guard, { userId }, sessionId, null) // null
 */
export async function setActiveOrganization(guard: Guard, actor: OrgActor, sessionId: string, orgId: string | null): Promise<OrganizationView | null> {
  organizationsConfig(guard)
  const before = await sessionActiveOrgId(guard.db, sessionId)
  if (!(await setSessionActiveOrg(guard.db, sessionId, actor.userId, orgId, guard.mfa.nowDate()))) throw new OrganizationError('not_a_member')
  if (before !== orgId) {
    await writeAudit(guard.db, { actorId: actor.userId, action: 'session.active_organization', target: sessionId, before: { organizationId: before ?? null }, after: { organizationId: orgId }, ip: actor.ip })
  }
  await orgClaimsChanged(guard, [actor.userId])
  return activeOrganization(guard, sessionId)
}

/**
 * The session's active organization with the user's role and permissions, or null.
 *
 * @example
 * const active = await activeOrganization(guard, auth.sessionId)
 */
export async function activeOrganization(guard: Guard, sessionId: string): Promise<OrganizationView | null> {
  const { roles } = organizationsConfig(guard)
  const active = await activeOrgMembershipOfSession(guard.db, sessionId)
  return active ? organizationView(active.organization, active.role, orgPermissionsOf(roles, active.role)) : null
}

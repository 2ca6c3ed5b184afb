import type { Guard } from '../engine/create-guard'
import { claimsTooLarge, orgClaimsOverflow } from '../engine/claims-limit'
import { writeAudit } from '../store/audit'
import { findOrganization, updateOrganization, type OrganizationRecord } from '../store/organizations'
import { usersWithActiveOrg } from '../store/sessions'
import { orgClaimsChanged, type OrgActor } from './access'
import { OrganizationError } from './errors'

/**
 * Replaces an organization's public metadata (Clerk's `publicMetadata`: what
 * the claims template reads as `{{org.public_metadata.*}}`), as a console
 * operator. Checked against the live template first: when a member's token
 * with this organization active would be over the size limit, 422
 * `claims_too_large` names the claim and the member and nothing changes.
 * The sessions that have it active carry the new claims from their next
 * request, on every instance. Audited as `organization.metadata` with before
 * and after. 404 `organization_not_found`.
 *
 * @example
 * const { before, after } = await setOrganizationMetadata(guard, operator, orgId, { plan: 'enterprise' })
 */
export async function setOrganizationMetadata(guard: Guard, actor: OrgActor, orgId: string, publicMetadata: Record<string, unknown>): Promise<{ before: OrganizationRecord; after: OrganizationRecord }> {
  const before = await findOrganization(guard.db, orgId)
  if (!before) throw new OrganizationError('organization_not_found')
  const overflow = await orgClaimsOverflow(guard.db, guard.live.policy, { id: before.id, slug: before.slug, publicMetadata })
  if (overflow) throw claimsTooLarge('publicMetadata', overflow)
  const now = guard.mfa.nowDate()
  const after = await updateOrganization(guard.db, orgId, { publicMetadata }, now)
  if (!after || after === 'slug_taken') throw new OrganizationError('organization_not_found')
  await writeAudit(guard.db, {
    actorId: actor.userId, action: 'organization.metadata', target: orgId,
    before: { slug: before.slug, publicMetadata: before.publicMetadata }, after: { slug: after.slug, publicMetadata: after.publicMetadata }, ip: actor.ip,
  })
  await orgClaimsChanged(guard, await usersWithActiveOrg(guard.db, orgId, now))
  return { before, after }
}

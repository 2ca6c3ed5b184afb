import type { H3Event } from 'h3'
import type { OrgActor } from '../../core/organizations/access'
import { clientAddress } from './client-address'

/**
 * The console admin as the organization services take an operator: acting
 * on any organization, without being a member of it (the membership and org
 * permission checks are skipped; every other rule holds, and each change is
 * audited with this admin as the actor and the client address). Only for
 * handlers behind `defineAdminHandler`, which checked the console's admin role.
 *
 * @example
 * export default defineAdminHandler(async (event, { guard, admin }) => removeMember(guard, operatorActor(event, admin), orgId, userId))
 */
export function operatorActor(event: H3Event, admin: { userId: string }): OrgActor {
  return { userId: admin.userId, ip: clientAddress(event), kind: 'operator' }
}

import type { Guard } from '../engine/create-guard'
import { lockUserForDeletion } from '../store/user-status'
import { organizationsWhereSoleRole } from '../store/org-memberships'
import { deleteOrganization } from '../store/organizations'
import { ORG_ADMIN_ROLE } from '../organizations/roles'
import { OrganizationError } from '../organizations/errors'
import { AccountError } from './errors'
import { eraseUserRows } from './erase-user'

/** Who deletes the account, for the audit log and the goodbye email. */
export interface DeleteUserOptions {
  /** The user themself (`by: 'self'`) or the admin (`by: 'admin'`); null for the system. */
  actorId: string | null
  /** The client address of the request, for the audit entry. */
  ip?: string | null
  by: 'self' | 'admin'
}

/** A deleted account: its address (gone from the database), how many live sessions ended, the goodbye email. */
export interface DeletedUser {
  email: string
  revokedSessions: number
  /** Settles once the goodbye email is handed to the mailer; never rejects (a failure is logged). */
  delivery: Promise<void>
}

/**
 * Deletes an account, in one transaction: the users lock and the user's row
 * are taken first, then the last admin who can sign in is refused (409
 * `last_admin`, LastAdminError — as taking their admin role would be), and
 * so is the last `org:admin` of an organization that has other members (409
 * `last_org_admin`, naming the organizations: give someone else the role
 * first); an organization the user is the only member of goes with the
 * account. Then every table is handled as ACCOUNT_ERASURE_PLAN says (deleted, by cascade
 * or by statement; the audit log anonymised and told `user.deleted`). After
 * the commit every session that was live is revoked on every instance
 * (revokeSession: this instance's cache and NOTIFY), so an already-issued
 * token is refused at its next request; refreshes fail as their rows are
 * gone. Revoking after the commit signs nobody out when the deletion is
 * refused, and also catches a session that started while it ran. A goodbye
 * email goes to the old address. 404 `user_not_found` when there is no such
 * user.
 *
 * Self-service (DELETE /api/_guard/account, deleteOwnAccount) and the
 * admin's user management both call it.
 *
 * @example
 * const { email, revokedSessions } = await deleteUser(guard, userId, { actorId: admin.userId, ip, by: 'admin' })
 */
export async function deleteUser(guard: Guard, userId: string, options: DeleteUserOptions): Promise<DeletedUser> {
  const now = guard.mfa.nowDate()
  const erased = await guard.db.transaction(async (tx) => {
    const user = await lockUserForDeletion(tx, userId, now)
    if (!user) return undefined
    const soleAdminOf = await organizationsWhereSoleRole(tx, user.id, ORG_ADMIN_ROLE)
    const shared = soleAdminOf.filter(org => org.otherMembers > 0)
    if (shared.length) {
      const names = shared.map(org => org.name).join(', ')
      throw new OrganizationError('last_org_admin', `${user.email} is the last org:admin of ${names}; make another member an org:admin there first (or delete the organization).`, { organizations: shared.map(org => org.orgId) })
    }
    for (const org of soleAdminOf) await deleteOrganization(tx, org.orgId)
    const { liveSessionIds } = await eraseUserRows(tx, user, { ...options, accountKey: guard.throttle.accountKey(user.email), now })
    return { email: user.email, liveSessionIds }
  })
  if (!erased) throw new AccountError('user_not_found', `There is no user ${userId}; pick one from the users list.`, { field: 'userId' })
  for (const sessionId of erased.liveSessionIds) await guard.revokeSession(sessionId)
  const delivery = guard.mfa.deps.mailer.send({ to: erased.email, subject: 'Your account was deleted', text: goodbyeText(erased.email, options.by) })
    .catch(error => console.error('[nuxt-guard] the account-deleted email could not be sent:', error))
  return { email: erased.email, revokedSessions: erased.liveSessionIds.length, delivery }
}

function goodbyeText(email: string, by: DeleteUserOptions['by']): string {
  const who = by === 'self' ? 'at your request' : 'by an administrator'
  return `Your account ${email} was deleted ${who}. Every device signed in to it was signed out, and its sign-in methods, sessions and codes were erased.\n\nIf you did not expect this, contact the site's administrator.`
}

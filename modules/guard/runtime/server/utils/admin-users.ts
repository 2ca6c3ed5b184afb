import type { Guard } from '../../core/engine/create-guard'
import { claimsTooLarge, userClaimsOverflow } from '../../core/engine/claims-limit'
import { enrolledFactorTypes } from '../../core/store/factors'
import { listActiveSessionIds } from '../../core/store/sessions'
import { findUserById, type UserRecord } from '../../core/store/users'
import { userStatusView } from '../../core/people/status'
import { GuardError } from './errors'

/**
 * A user by id, or 404 `user_not_found`.
 *
 * @example
 * const user = await userOr404(guard, adminRouteParam(event, 'id'))
 */
export async function userOr404(guard: Guard, userId: string): Promise<UserRecord> {
  const user = await findUserById(guard.db, userId)
  if (!user) throw new GuardError('user_not_found', `There is no user ${userId}; pick one from the users list.`, { field: 'userId' })
  return user
}

/**
 * A user as the console lists it: id, email, roles, sign-up time, enrolled
 * factors, live session count and status (`disabled`, with since, reason and until).
 *
 * @example
 * return adminUserView(guard, updatedUser)
 */
export async function adminUserView(guard: Guard, user: UserRecord) {
  const [factors, sessions] = await Promise.all([
    enrolledFactorTypes(guard.db, user.id),
    listActiveSessionIds(guard.db, user.id, new Date(guard.now())),
  ])
  return { id: user.id, email: user.email, roles: user.roles, createdAt: user.createdAt, factors, activeSessions: sessions.length, ...userStatusView(user, new Date(guard.now())) }
}

/**
 * Refuses an admin's change to a user (roles, public metadata) with 422
 * `claims_too_large` when the live claims template would render that user's
 * session-token claims over the size limit: the limit is enforced where the
 * data is saved, so the user's next sign-in or refresh cannot fail on it.
 * `field` is the request field that made it too large.
 *
 * @example
 * await refuseOversizedClaims(guard, { ...user, publicMetadata }, 'publicMetadata')
 */
export async function refuseOversizedClaims(guard: Guard, changed: UserRecord, field: string): Promise<void> {
  const overflow = await userClaimsOverflow(guard.db, guard.live.policy, changed)
  if (overflow) throw claimsTooLarge(field, overflow)
}

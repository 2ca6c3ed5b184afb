import type { Guard } from '../../core/engine/create-guard'
import { enrolledFactorTypes } from '../../core/store/factors'
import { listActiveSessionIds } from '../../core/store/admin-users'
import { findUserById, type UserRecord } from '../../core/store/users'
import { guardError } from './errors'

/**
 * A user by id, or 404 `user_not_found`.
 *
 * @example
 * const user = await userOr404(guard, adminRouteParam(event, 'id'))
 */
export async function userOr404(guard: Guard, userId: string): Promise<UserRecord> {
  const user = await findUserById(guard.db, userId)
  if (!user) throw guardError(404, 'user_not_found', `There is no user ${userId}; pick one from the users list.`, { field: 'userId' })
  return user
}

/**
 * A user as the console lists it: id, email, roles, sign-up time, enrolled
 * factors and live session count.
 *
 * @example
 * return adminUserView(guard, updatedUser)
 */
export async function adminUserView(guard: Guard, user: UserRecord) {
  const [factors, sessions] = await Promise.all([
    enrolledFactorTypes(guard.db, user.id),
    listActiveSessionIds(guard.db, user.id, new Date(guard.now())),
  ])
  return { id: user.id, email: user.email, roles: user.roles, createdAt: user.createdAt, factors, activeSessions: sessions.length }
}

import { z } from 'zod'
import { listUsers } from '#guard/core/store/users'
import { userStatusView } from '#guard/core/people/status'
import { enrolledFactorTypesOf } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { readAdminQuery } from '#guard/server/utils/admin-request'

const query = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

/**
 * GET /api/_guard/admin/users?q=&limit=&offset= → `{ users: [{ id, email, roles, createdAt, factors, activeSessions,
 * disabled, disabledAt, disabledReason, disabledUntil }], total }`; `q` matches email substrings. The status fields
 * are null unless the account is disabled now (a passed `disabledUntil` has ended it).
 */
export default defineAdminHandler(async (event, { guard }) => {
  const { q, limit, offset } = readAdminQuery(event, query)
  const now = new Date(guard.now())
  const page = await listUsers(guard.db, { q: q.trim(), limit, offset, now })
  const factors = await enrolledFactorTypesOf(guard.db, page.users.map(user => user.id))
  const users = page.users.map(user => ({ ...user, ...userStatusView(user, now), factors: factors.get(user.id) ?? [] }))
  return { users, total: page.total }
})

import { z } from 'zod'
import { listUsers } from '#guard/core/store/users'
import { enrolledFactorTypesOf } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'
import { readAdminQuery } from '#guard/server/utils/admin-request'

const query = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

/** GET /api/_guard/admin/users?q=&limit=&offset= → `{ users: [{ id, email, roles, createdAt, factors, activeSessions }], total }`; `q` matches email substrings. */
export default defineAdminHandler(async (event, { guard }) => {
  const { q, limit, offset } = readAdminQuery(event, query)
  const page = await listUsers(guard.db, { q: q.trim(), limit, offset, now: new Date(guard.now()) })
  const factors = await enrolledFactorTypesOf(guard.db, page.users.map(user => user.id))
  const users = page.users.map(user => ({ ...user, factors: factors.get(user.id) ?? [] }))
  return { users, total: page.total }
})

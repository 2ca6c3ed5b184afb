import { z } from 'zod'
import { listUsers } from '../../../../core/store/admin-users'
import { enrolledFactorTypes } from '../../../../core/store/factors'
import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { requireAdmin } from '../../../utils/require-admin'
import { useGuard } from '../../../utils/guard-instance'
import { readAdminQuery } from '../../../utils/admin-request'

const query = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

/** GET /api/_guard/admin/users?q=&limit=&offset= → `{ users: [{ id, email, roles, createdAt, factors, activeSessions }], total }`; `q` matches email substrings. */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const { q, limit, offset } = readAdminQuery(event, query)
  const guard = await useGuard()
  const page = await listUsers(guard.db, { q: q.trim(), limit, offset, now: new Date(guard.now()) })
  const users = await Promise.all(page.users.map(async user => ({ ...user, factors: await enrolledFactorTypes(guard.db, user.id) })))
  return { users, total: page.total }
})

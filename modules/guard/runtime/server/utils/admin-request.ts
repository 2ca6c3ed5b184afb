import { getQuery, getRouterParam, type H3Event } from 'h3'
import type { ZodType } from 'zod'
import type { Guard } from '../../core/engine/create-guard'
import { writeAudit, type NewAuditEntry } from '../../core/store/audit'
import { GuardError } from './errors'
import { clientAddress } from './client-address'

/**
 * Reads and validates the query string; refuses with 422 `invalid_request`
 * naming each field, like `readGuardBody` does for bodies.
 *
 * @example
 * const { limit, before } = readAdminQuery(event, z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }))
 */
export function readAdminQuery<T>(event: H3Event, schema: ZodType<T>): T {
  const result = schema.safeParse(getQuery(event))
  if (result.success) return result.data
  const fields = Object.fromEntries(result.error.issues.map(issue => [issue.path.join('.') || 'query', issue.message]))
  const [field, message] = Object.entries(fields)[0]!
  throw new GuardError('invalid_request', `${field}: ${message}`, { field, fields })
}

/**
 * A required route parameter (`[id]` in the file name), decoded.
 *
 * @example
 * const userId = adminRouteParam(event, 'id')
 */
export function adminRouteParam(event: H3Event, name: string): string {
  const value = getRouterParam(event, name, { decode: true })
  if (!value) throw new GuardError('invalid_request', `${name}: missing from the path`, { field: name })
  return value
}

/**
 * Writes one audit entry for an admin action: who (the admin), when (now),
 * what, on what, before and after, from which IP.
 *
 * @example
 * await auditAdminAction(event, guard, admin.userId, { action: 'user.roles', target: user.id, before: { roles }, after: { roles: next } })
 */
export async function auditAdminAction(event: H3Event, guard: Guard, actorId: string, entry: Omit<NewAuditEntry, 'actorId' | 'ip'>): Promise<void> {
  await writeAudit(guard.db, { ...entry, actorId, ip: clientAddress(event) ?? null })
}

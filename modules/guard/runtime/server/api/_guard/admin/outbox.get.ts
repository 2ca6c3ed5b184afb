import { getQuery } from 'h3'
import { listOutboxMessages } from '../../../../core/store/outbox'
import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { requireAdmin } from '../../../utils/require-admin'
import { useGuard } from '../../../utils/guard-instance'

/** GET /api/_guard/admin/outbox?limit=&to=: mail written by the default transport (email codes), newest first. */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  const query = getQuery(event)
  const limit = Math.min(200, Math.max(1, Number(query.limit) || 50))
  const messages = await listOutboxMessages((await useGuard()).db, { limit, to: typeof query.to === 'string' && query.to ? query.to : undefined })
  return { messages: messages.map(m => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, createdAt: m.createdAt.toISOString() })) }
})

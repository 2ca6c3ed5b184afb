import { getQuery } from 'h3'
import { listOutboxMessages } from '#guard/core/store/outbox'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'

/** GET /api/_guard/admin/outbox?limit=&to=: mail written by the default transport (email codes), newest first. */
export default defineAdminHandler(async (event, { guard }) => {
  const query = getQuery(event)
  const limit = Math.min(200, Math.max(1, Number(query.limit) || 50))
  const messages = await listOutboxMessages(guard.db, { limit, to: typeof query.to === 'string' && query.to ? query.to : undefined })
  return { messages: messages.map(m => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, createdAt: m.createdAt.toISOString() })) }
})

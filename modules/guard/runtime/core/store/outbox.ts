import type { SqlExecutor } from './db/database'

export interface OutboxMessage { id: number; to: string; subject: string; text: string; createdAt: Date }

/**
 * Appends a message to the outbox (the default mail transport).
 *
 * @example
 * await insertOutboxMessage(db, { to: 'ada@example.com', subject: 'Your code', text: 'Code: 123456' })
 */
export async function insertOutboxMessage(db: SqlExecutor, message: { to: string; subject: string; text: string }): Promise<void> {
  await db.query('insert into guard_outbox (to_address, subject, body_text) values ($1, $2, $3)', [message.to, message.subject, message.text])
}

/**
 * The newest messages first.
 *
 * @example
 * const messages = await listOutboxMessages(db, { limit: 50 })
 */
export async function listOutboxMessages(db: SqlExecutor, { limit = 50, to }: { limit?: number; to?: string } = {}): Promise<OutboxMessage[]> {
  const rows = await db.query<any>(
    `select id, to_address, subject, body_text, created_at from guard_outbox
      where ($2::text is null or lower(to_address) = lower($2)) order by id desc limit $1`,
    [limit, to ?? null],
  )
  return rows.map(row => ({ id: Number(row.id), to: row.to_address, subject: row.subject, text: row.body_text, createdAt: new Date(row.created_at) }))
}

/**
 * Deletes every outbox message to an address (compared case-insensitively):
 * a deleted account's mail. Returns how many went.
 *
 * @example
 * await deleteOutboxMessagesTo(tx, 'ada@example.com')
 */
export async function deleteOutboxMessagesTo(db: SqlExecutor, address: string): Promise<number> {
  return (await db.query('delete from guard_outbox where lower(to_address) = lower($1) returning 1', [address])).length
}

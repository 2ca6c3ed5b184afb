import type { SqlExecutor } from '../store/db/database'
import { insertOutboxMessage } from '../store/outbox'

/** One plain-text message. */
export interface MailMessage { to: string; subject: string; text: string }

/** How nuxt-guard sends mail (email one-time codes). */
export interface Mailer {
  send(message: MailMessage): Promise<void>
}

/**
 * The default transport: writes each message to the outbox table, which the
 * admin console shows (GET /api/_guard/admin/outbox). Nothing leaves the server.
 *
 * @example
 * const mailer = outboxMailer(db)
 * await mailer.send({ to: 'ada@example.com', subject: 'Your code', text: '123456' })
 */
export function outboxMailer(db: SqlExecutor): Mailer {
  return { send: message => insertOutboxMessage(db, message) }
}

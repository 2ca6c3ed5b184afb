import type { Mailer } from './mailer'

/**
 * A mailer whose every subject starts with the application's name, so that
 * the user knows which site wrote (`Acme: Reset your password`). Without a
 * name, the mailer itself.
 *
 * @example
 * const mailer = namedMailer(outboxMailer(db), 'Acme')
 * await mailer.send({ to, subject: 'Your verification code: 123456', text }) // subject 'Acme: Your verification code: 123456'
 */
export function namedMailer(mailer: Mailer, appName?: string): Mailer {
  const name = appName?.trim()
  if (!name) return mailer
  return { send: message => mailer.send({ ...message, subject: `${name}: ${message.subject}` }) }
}

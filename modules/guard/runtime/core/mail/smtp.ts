import type { Mailer } from './mailer'
import { loadOptionalPeer } from '../optional-peer'

/**
 * A transport that sends through SMTP with nodemailer, e.g.
 * `smtp://user:pass@smtp.example.com:587`. The sender is the URL's `from`
 * query parameter, or `nuxt-guard@<host>`. nodemailer is an optional peer
 * dependency, loaded here so that a missing one fails at start-up with the
 * command to run, not at the first email.
 *
 * @throws Error when nodemailer is not installed (`npm i nodemailer`)
 * @example
 * const mailer = await smtpMailer(process.env.NUXT_GUARD_SMTP_URL!)
 */
export async function smtpMailer(url: string): Promise<Mailer> {
  const parsed = new URL(url)
  const from = parsed.searchParams.get('from') ?? `nuxt-guard@${parsed.hostname}`
  parsed.searchParams.delete('from')
  const nodemailer = await loadOptionalPeer('nodemailer', 'Sending email codes by SMTP (NUXT_GUARD_SMTP_URL)', () => import('nodemailer'))
  const transport = nodemailer.default.createTransport(parsed.toString())
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text })
    },
  }
}

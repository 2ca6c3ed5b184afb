import type { Mailer } from './mailer'

/**
 * A transport that sends through SMTP with nodemailer (loaded only when
 * used), e.g. `smtp://user:pass@smtp.example.com:587`. The sender is the URL's
 * `from` query parameter, or `nuxt-guard@<host>`.
 *
 * @example
 * const mailer = smtpMailer(process.env.NUXT_GUARD_SMTP_URL!)
 */
export function smtpMailer(url: string): Mailer {
  const parsed = new URL(url)
  const from = parsed.searchParams.get('from') ?? `nuxt-guard@${parsed.hostname}`
  parsed.searchParams.delete('from')
  let transport: Promise<{ sendMail(options: Record<string, unknown>): Promise<unknown> }> | undefined
  return {
    async send(message) {
      transport ??= import('nodemailer').then(nodemailer => nodemailer.default.createTransport(parsed.toString()))
      await (await transport).sendMail({ from, to: message.to, subject: message.subject, text: message.text })
    },
  }
}

import { okJson } from './admin-api'
import type { CookieClient } from './http-client'

/**
 * Verifies `client`'s address over HTTP with the code sign-up emailed it,
 * read from the console's outbox by `reader` (an admin): the email-code
 * factor is only set up for a verified address. Polls: the email goes out
 * just after the sign-up's answer.
 *
 * @example
 * await verifyAddressOverHttp(pat, admin, 'pat@factors.test')
 */
export async function verifyAddressOverHttp(client: CookieClient, reader: CookieClient, email: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const { messages } = okJson<{ messages: { to: string; subject: string; text: string }[] }>(await reader.send('/api/_guard/admin/outbox'))
    const code = messages.find(message => message.to === email && message.subject.endsWith('Verify your email address'))?.text.match(/code is ([A-Z0-9-]+)\./)?.[1]
    if (code && (await client.send('/api/_guard/email-verification/confirm', { json: { code } })).status === 200) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`could not verify ${email} with a code from the outbox`)
}

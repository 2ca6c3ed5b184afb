import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { outboxMailer } from '../../modules/guard/runtime/core/mail/mailer'
import { smtpMailer } from '../../modules/guard/runtime/core/mail/smtp'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { migrate } from '../../modules/guard/runtime/core/store/db/migrations'
import { listOutboxMessages } from '../../modules/guard/runtime/core/store/outbox'

/** A minimal SMTP server (RFC 5321 happy path, no TLS) that records each message's envelope and data. */
function fakeSmtpServer() {
  const received: { from: string; to: string[]; data: string }[] = []
  const server: Server = createServer((socket) => {
    let buffer = ''
    let inData = false
    let current = { from: '', to: [] as string[], data: '' }
    const reply = (line: string) => socket.write(`${line}\r\n`)
    reply('220 fake.test ESMTP')
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      let end: number
      while ((end = inData ? buffer.indexOf('\r\n.\r\n') : buffer.indexOf('\r\n')) !== -1) {
        if (inData) {
          current.data = buffer.slice(0, end)
          buffer = buffer.slice(end + 5)
          inData = false
          received.push(current)
          current = { from: '', to: [], data: '' }
          reply('250 queued')
          continue
        }
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') reply('250 fake.test')
        else if (verb === 'MAIL') { current.from = line; reply('250 ok') }
        else if (verb === 'RCPT') { current.to.push(line); reply('250 ok') }
        else if (verb === 'DATA') { inData = true; reply('354 go ahead') }
        else if (verb === 'QUIT') { reply('221 bye'); socket.end() }
        else reply('250 ok')
      }
    })
  })
  return { server, received }
}

describe('mailers', () => {
  let db: GuardDatabase
  const smtp = fakeSmtpServer()
  let port = 0
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' })
    await migrate(db)
    await new Promise<void>(resolve => smtp.server.listen(0, '127.0.0.1', resolve))
    port = (smtp.server.address() as { port: number }).port
  }, 60_000)
  afterAll(async () => {
    await db?.close()
    await new Promise(resolve => smtp.server.close(resolve))
  })

  it('the default transport writes to the outbox, newest first, filterable by recipient', async () => {
    const mailer = outboxMailer(db)
    await mailer.send({ to: 'ada@example.test', subject: 'first', text: 'Code 111111' })
    await mailer.send({ to: 'bob@example.test', subject: 'second', text: 'Code 222222' })
    expect((await listOutboxMessages(db)).map(message => message.subject)).toEqual(['second', 'first'])
    expect(await listOutboxMessages(db, { to: 'ADA@example.test' })).toEqual([
      { id: expect.any(Number), to: 'ada@example.test', subject: 'first', text: 'Code 111111', createdAt: expect.any(Date) },
    ])
  })

  it('the SMTP transport delivers through the server named by the URL, with the sender from ?from=', async () => {
    const mailer = await smtpMailer(`smtp://127.0.0.1:${port}?from=guard%40acme.test`)
    await mailer.send({ to: 'ada@example.test', subject: 'Your verification code: 123456', text: 'Your verification code is 123456.' })
    expect(smtp.received).toHaveLength(1)
    const [message] = smtp.received
    expect(message!.from).toContain('guard@acme.test')
    expect(message!.to).toEqual([expect.stringContaining('ada@example.test')])
    expect(message!.data).toContain('Subject: Your verification code: 123456')
    expect(message!.data).toContain('Your verification code is 123456.')
  })
})

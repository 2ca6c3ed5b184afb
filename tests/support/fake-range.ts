import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'

/** Seen 3,861 times by the fake range server. */
export const BREACHED_PASSWORD = 'kangaroo violin paperclip'
/** Not listed. */
export const CLEAN_PASSWORD = 'lantern orchard quietly hums'
/** Listed only as a padding line (count 0). */
export const PADDED_PASSWORD = 'marble falcon sixteen rivers'

/** Upper-case hex SHA-1, as the range API speaks it. */
export const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase()
/** A random suffix line, as the API pads its answers with (count 0). */
export const paddingLine = () => `${randomBytes(18).toString('hex').slice(0, 35).toUpperCase()}:0`

/** A fake Pwned Passwords range server; change `delayMs`/`status` to misbehave. */
export interface FakeRange {
  origin: string
  /** Every request it got: the path and headers, nothing else reaches it. */
  requests: { url: string; headers: IncomingMessage['headers'] }[]
  delayMs: number
  status: number
  server: Server
  close(): Promise<void>
}

/**
 * Starts the fake on 127.0.0.1 (a random port): `GET /range/{5 hex}` answers
 * padded `SUFFIX:COUNT` lines, with BREACHED_PASSWORD's suffix at 3861 and
 * PADDED_PASSWORD's at 0 when their prefix is asked for.
 *
 * @example
 * const fake = await startFakeRange()
 * await countPasswordBreaches(BREACHED_PASSWORD, { rangeUrl: `${fake.origin}/range` }) // 3861
 */
export async function startFakeRange(): Promise<FakeRange> {
  const fake = { origin: '', requests: [], delayMs: 0, status: 200 } as unknown as FakeRange
  fake.server = createServer((request, response) => {
    fake.requests.push({ url: request.url ?? '', headers: request.headers })
    const prefix = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '')?.[1]
    setTimeout(() => {
      if (fake.status !== 200 || !prefix) return response.writeHead(prefix ? fake.status : 400).end()
      const lines = [paddingLine(), paddingLine()]
      if (sha1(BREACHED_PASSWORD).startsWith(prefix)) lines.push(`${sha1(BREACHED_PASSWORD).slice(5)}:3861`)
      if (sha1(PADDED_PASSWORD).startsWith(prefix)) lines.push(`${sha1(PADDED_PASSWORD).slice(5)}:0`)
      lines.push(paddingLine())
      response.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'))
    }, fake.delayMs)
  })
  await new Promise<void>(done => fake.server.listen(0, '127.0.0.1', done))
  fake.origin = `http://127.0.0.1:${(fake.server.address() as { port: number }).port}`
  fake.close = () => new Promise(done => fake.server.close(() => done()))
  return fake
}

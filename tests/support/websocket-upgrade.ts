import { request } from 'node:http'
import { randomBytes } from 'node:crypto'

/** How the server answered a WebSocket upgrade: `101` with the first text message, or a refusal. */
export interface UpgradeAnswer {
  status: number
  /** The first message after a `101`. */
  message?: string
  /** The refusal's body. */
  body?: string
  headers: Record<string, string | string[] | undefined>
}

/**
 * Opens a WebSocket by hand (the raw path is sent as given, encodings and
 * all) and reads the first frame, as an attacker's client would.
 *
 * @example
 * const answer = await openWebSocket('http://127.0.0.1:3000', '/live', { origin: 'http://evil.example' })
 * answer.status // 403
 */
export function openWebSocket(origin: string, path: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request({
      hostname, port, path, method: 'GET',
      headers: { 'connection': 'Upgrade', 'upgrade': 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
    })
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to the upgrade of ${path}`)))
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('upgrade', (res, socket, head) => {
      let buffer = head
      const done = (message?: string) => { socket.destroy(); resolve({ status: 101, message, headers: res.headers }) }
      const tryFrame = () => {
        // An unmasked server text frame below 126 bytes: 0x81, length, payload.
        if (buffer.length < 2) return
        const length = buffer[1]! & 0x7f
        const offset = length === 126 ? 4 : 2
        const size = length === 126 ? buffer.readUInt16BE(2) : length
        if (buffer.length >= offset + size) done(buffer.subarray(offset, offset + size).toString('utf8'))
      }
      socket.on('data', (chunk: Buffer) => { buffer = Buffer.concat([buffer, chunk]); tryFrame() })
      socket.on('end', () => done())
      setTimeout(() => done(), 5_000)
      tryFrame()
    })
    req.on('error', reject)
    req.end()
  })
}

import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a server (e.g. PostgreSQL), to play a server
 * restart: `down()` cuts every connection and refuses new ones, `up()` accepts
 * again on the same port; `freeze()` goes silent, `lag(ms)` slows the server's replies.
 *
 * @example
 * const proxy = await tcpProxy('127.0.0.1', 5432)
 * const url = `postgres://postgres@127.0.0.1:${proxy.port}/test`
 * await proxy.down(); await proxy.up(); await proxy.close()
 */
export async function tcpProxy(targetHost: string, targetPort: number) {
  const sockets = new Set<Socket>()
  const pairs = new Set<{ frozen: boolean; client: Socket; upstream: Socket }>()
  let server: Server | undefined
  let port = 0
  let lagMs = 0
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const listen = () => new Promise<void>((resolve, reject) => {
    server = createServer((client) => {
      const upstream = createConnection({ host: targetHost, port: targetPort })
      track(client)
      track(upstream)
      client.setNoDelay(true) // as pg does: no Nagle delay added to small messages
      upstream.setNoDelay(true)
      const pair = { frozen: false, client, upstream }
      pairs.add(pair)
      client.on('data', chunk => pair.frozen || upstream.write(chunk))
      // What the server sends may be held back by `lag` (timers of one length fire in order).
      upstream.on('data', (chunk) => {
        if (pair.frozen) return
        if (lagMs) setTimeout(() => client.write(chunk), lagMs)
        else client.write(chunk)
      })
      client.on('close', () => { pairs.delete(pair); upstream.destroy() })
      upstream.on('close', () => client.destroy())
    })
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      port = (server!.address() as { port: number }).port
      resolve()
    })
  })
  const down = async () => {
    const closing = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    await new Promise<void>(resolve => (closing ? closing.close(() => resolve()) : resolve()))
  }
  await listen()
  return {
    get port() { return port },
    /** Cuts every proxied connection and stops accepting (connections are refused). */
    down,
    /** Stops forwarding on every open connection without closing it (a silent network cut); new connections work. */
    freeze() {
      for (const pair of pairs) {
        pair.frozen = true
        pair.client.pause(); pair.upstream.pause()
      }
      pairs.clear()
    },
    /** Holds back everything the server sends by `ms` from now on (a slow link or a busy peer), 0 to stop. */
    lag(ms: number) {
      lagMs = ms
    },
    /** Accepts again, on the same port. */
    up: listen,
    close: down,
  }
}

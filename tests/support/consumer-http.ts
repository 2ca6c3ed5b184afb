import { CookieJar } from './cookie-jar'

/** A response read to the end: status, headers and body. */
export interface ConsumerResponse {
  status: number
  headers: Headers
  body: string
  json<T = any>(): T
}

/**
 * A browser-like HTTP client for a running consumer app: keeps the cookies the
 * server sets, never follows redirects, sends JSON bodies as JSON.
 *
 * @example
 * const ada = new ConsumerClient(app.origin)
 * await ada.signUp('ada@consumer.test')
 * expect((await ada.send('/api/hello')).status).toBe(403)
 */
export class ConsumerClient {
  readonly cookies = new CookieJar()

  constructor(readonly origin: string) {}

  async send(path: string, init: { method?: string; headers?: Record<string, string>; json?: unknown } = {}): Promise<ConsumerResponse> {
    const headers: Record<string, string> = { ...init.headers }
    if (this.cookies.size) headers.cookie = this.cookies.header
    let body: string | undefined
    if (init.json !== undefined) {
      body = JSON.stringify(init.json)
      headers['content-type'] ??= 'application/json'
    }
    const response = await fetch(new URL(path, this.origin), { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' })
    this.cookies.absorb(response.headers.getSetCookie())
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text, json: () => JSON.parse(text) }
  }

  signUp(email: string, password = 'correct horse battery') {
    return this.send('/api/_guard/sign-up', { json: { email, password } })
  }

  signIn(email: string, password = 'correct horse battery') {
    return this.send('/api/_guard/sign-in', { json: { email, password } })
  }

  signOut() {
    return this.send('/api/_guard/sign-out', { json: {} })
  }
}

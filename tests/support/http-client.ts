import { request } from 'node:http'
import { url } from '@nuxt/test-utils/e2e'
import { CookieJar } from './cookie-jar'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  json<T = any>(): T
}

/**
 * Sends a request with the path exactly as written (no URL normalisation, so
 * `..`, `%2F` and backslashes reach the server untouched).
 */
export function rawRequest(path: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const target = new URL(url('/'))
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', chunk => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

/** A browser-like client: keeps the cookies the server sets. */
export class CookieClient {
  readonly cookies = new CookieJar()

  get cookieHeader(): string {
    return this.cookies.header
  }

  async send(path: string, init: { method?: string; headers?: Record<string, string>; json?: unknown } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { ...init.headers }
    if (this.cookies.size) headers.cookie = this.cookieHeader
    let body: string | undefined
    if (init.json !== undefined) {
      body = JSON.stringify(init.json)
      headers['content-type'] ??= 'application/json'
    }
    const response = await rawRequest(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body })
    this.cookies.absorb(response.headers['set-cookie'])
    return response
  }

  signUp(email: string, password = 'correct horse battery') {
    return this.send('/api/_guard/sign-up', { json: { email, password } })
  }

  signIn(email: string, password = 'correct horse battery', redirectUrl?: string) {
    return this.send('/api/_guard/sign-in', { json: { email, password, redirect_url: redirectUrl } })
  }
}

/**
 * The guard's h3 adapter in process, with no Nuxt build: a real h3 app on a
 * real `node:http` server (port 0), the guard's own middleware in front, the
 * guard's real API handlers on their real paths, and a real guard engine on
 * an in-memory PGlite, started the way the module's Nitro plugin starts it
 * (`startGuard`). Behind the guard, every path that is not one of the guard's
 * API routes reaches one app handler that answers `200 { served, userId }`:
 * a response with `served` in it means the guard let the request through to
 * the app — what an attacker wants.
 *
 * The guard is a process-wide singleton (`guard-instance.ts`), as in a Nitro
 * server; vitest runs each test file in its own module graph, so one
 * `startGuardApp` per file.
 */
import { createServer, request, type Server } from 'node:http'
import { randomBytes } from 'node:crypto'
import { createApp, createRouter, defineEventHandler, defineWebSocketHandler, toNodeListener, type EventHandler } from 'h3'
import wsAdapter from 'crossws/adapters/node'
import type { Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { readyGuard, resetGuard, startGuard, type GuardRuntimeConfig } from '../../modules/guard/runtime/server/utils/guard-instance'
import { guardMiddleware } from '../../modules/guard/runtime/server/utils/guard-middleware'
import { getAuth } from '../../modules/guard/runtime/server/utils/get-auth'
import { judgeUpgrade } from '../../modules/guard/runtime/server/utils/judge-upgrade'
import session from '../../modules/guard/runtime/server/api/_guard/session.get'
import signUp from '../../modules/guard/runtime/server/api/_guard/sign-up.post'
import signIn from '../../modules/guard/runtime/server/api/_guard/sign-in.post'
import signOut from '../../modules/guard/runtime/server/api/_guard/sign-out.post'
import jwks from '../../modules/guard/runtime/server/api/_guard/jwks.json.get'
import totpEnroll from '../../modules/guard/runtime/server/api/_guard/mfa/totp/enroll.post'
import totpVerify from '../../modules/guard/runtime/server/api/_guard/mfa/totp/verify.post'
import mfaChallenge from '../../modules/guard/runtime/server/api/_guard/mfa/challenge.post'
import adminConfigGet from '../../modules/guard/runtime/server/api/_guard/admin/config.get'
import adminConfigPut from '../../modules/guard/runtime/server/api/_guard/admin/config.put'
import adminConfigValidate from '../../modules/guard/runtime/server/api/_guard/admin/config/validate.post'
import adminUsers from '../../modules/guard/runtime/server/api/_guard/admin/users.get'
import verdict from '../../modules/guard/runtime/server/api/_guard/verdict.get'
import accountEmail from '../../modules/guard/runtime/server/api/_guard/account/email.get'
import accountEmailRequest from '../../modules/guard/runtime/server/api/_guard/account/email/request.post'
import accountEmailConfirm from '../../modules/guard/runtime/server/api/_guard/account/email/confirm.post'
import emailVerificationSend from '../../modules/guard/runtime/server/api/_guard/email-verification/send.post'
import emailVerificationConfirm from '../../modules/guard/runtime/server/api/_guard/email-verification/confirm.post'
import passwordResetRequest from '../../modules/guard/runtime/server/api/_guard/password-reset/request.post'
import emailVerificationSignIn from '../../modules/guard/runtime/server/api/_guard/email-verification/sign-in.post'

/** The password every test user signs up with. */
export const PASSWORD = 'correct horse battery'

import { BASIC_SEED } from '../fixtures/basic/guard-seed'
import { CookieJar } from './cookie-jar'

export { BASIC_ROUTES, BASIC_SEED } from '../fixtures/basic/guard-seed'

/** A response read to the end. */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  json<T = any>(): T
}

export interface RequestInit {
  method?: string
  headers?: Record<string, string>
  /** Sent as written, with its Content-Length; no Content-Type is added. */
  body?: string
}

export interface GuardAppOptions {
  /** The seed config document (default: the e2e fixture's, {@link BASIC_SEED}). */
  seed?: Record<string, unknown>
  /** `guard.allowedOrigins`. */
  allowedOrigins?: string[]
  /** `guard.audience` and `guard.authorizedParties`. */
  audience?: string[]
  authorizedParties?: string[]
  /** `guard.debug`: one log line per decision. */
  debug?: boolean
  /** `guard.cookieSecure` (default false: these servers speak plain HTTP). */
  cookieSecure?: boolean
  /** `guard.baseUrl`: what emailed links point at. */
  baseUrl?: string
  /** The guard middleware in front of the app (default `guardMiddleware()`, as the module registers it). */
  middleware?: EventHandler
}

/** One running app: the guard, the server's origin, and clients for it. */
export interface GuardApp {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** The running guard engine (the same one the adapter's `useGuard()` returns). */
  guard: Guard
  /** Sends one request with its path exactly as written (no URL normalisation: `..`, `%2F`, `//`, `\` reach the server). */
  request(path: string, init?: RequestInit): Promise<RawResponse>
  /** A browser-like client that keeps the cookies the server sets. */
  client(): AppClient
  close(): Promise<void>
}

/**
 * Starts the guard on an in-memory PGlite and serves it over HTTP; meant for
 * a file's `beforeAll` (PGlite takes a few seconds to start). The app has:
 * - the guard's middleware (`guardMiddleware()`, as `server/middleware/guard.ts` registers it);
 * - the guard's real handlers: sign-up, sign-in, sign-out, session, jwks.json,
 *   TOTP enroll/verify, the MFA challenge, the client navigation verdict,
 *   the address (GET /account/email, verify and change), and the console's
 *   config (GET, PUT, validate) and users;
 * - a WebSocket route `/live` (`{ userId }` as its first message) whose
 *   upgrades the guard judges (`judgeUpgrade`, as the module's websocket plugin wires it);
 * - for every other path, `200 { served: <path>, userId }`.
 *
 * @example
 * const app = await startGuardApp({ seed: { mfa: { enforce: 'all' } } })
 * expect((await app.request('/api/secret')).status).toBe(401)
 * await app.close()
 */
export async function startGuardApp(options: GuardAppOptions = {}): Promise<GuardApp> {
  const settings: GuardRuntimeConfig = {
    secret: '', databaseUrl: '', dataDir: 'memory://', smtpUrl: '', mfaTokenTtl: 0,
    debug: options.debug ?? false, cookieSecure: options.cookieSecure ?? false, trustProxy: '', seed: options.seed ?? BASIC_SEED, allowedOrigins: options.allowedOrigins ?? [],
    audience: options.audience ?? [], authorizedParties: options.authorizedParties ?? [], baseUrl: options.baseUrl ?? '',
  }
  const guard = await startGuard(settings, randomBytes(32).toString('base64url'))

  const router = createRouter()
    .get('/api/_guard/session', session)
    .post('/api/_guard/sign-up', signUp)
    .post('/api/_guard/sign-in', signIn)
    .post('/api/_guard/sign-out', signOut)
    .get('/api/_guard/jwks.json', jwks)
    .post('/api/_guard/mfa/totp/enroll', totpEnroll)
    .post('/api/_guard/mfa/totp/verify', totpVerify)
    .post('/api/_guard/mfa/challenge', mfaChallenge)
    .get('/api/_guard/admin/config', adminConfigGet)
    .put('/api/_guard/admin/config', adminConfigPut)
    .post('/api/_guard/admin/config/validate', adminConfigValidate)
    .get('/api/_guard/admin/users', adminUsers)
    .get('/api/_guard/verdict', verdict)
    .get('/api/_guard/account/email', accountEmail)
    .post('/api/_guard/account/email/request', accountEmailRequest)
    .post('/api/_guard/account/email/confirm', accountEmailConfirm)
    .post('/api/_guard/email-verification/send', emailVerificationSend)
    .post('/api/_guard/email-verification/confirm', emailVerificationConfirm)
    .post('/api/_guard/password-reset/request', passwordResetRequest)
    .post('/api/_guard/email-verification/sign-in', emailVerificationSignIn)
    .use('/live', defineWebSocketHandler({ open(peer) { peer.send(JSON.stringify({ userId: (peer.context.auth as { userId?: string } | undefined)?.userId ?? null })) } }))
  const app = createApp({ websocket: { hooks: { upgrade: judgeUpgrade } } })
    .use(options.middleware ?? guardMiddleware())
    .use(router)
    .use(served)
  const server = createServer(toNodeListener(app))
  server.on('upgrade', wsAdapter(app.websocket).handleUpgrade)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`

  return {
    origin,
    guard,
    request: (path, init) => rawRequest(origin, path, init),
    client: () => new AppClient(origin),
    async close() {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
      await readyGuard()?.close()
      resetGuard()
    },
  }
}

/** What the app serves to whoever the guard lets through. */
const served: EventHandler = defineEventHandler(event => ({ served: event.path, userId: getAuth(event).userId ?? null, authResolved: event.context.auth !== undefined }))

/** Sends one request to `origin` with `path` untouched. */
export function rawRequest(origin: string, path: string, { method = 'GET', headers = {}, body }: RequestInit = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

/**
 * A browser-like client of one app: keeps the cookies the server sets (and
 * forgets the ones it clears), sends `json` as JSON. The same shape as the
 * e2e `CookieClient`, so the e2e helpers (admin-api.ts, mfa-http.ts,
 * admin-mfa.ts) work with it.
 */
export class AppClient {
  readonly cookies = new CookieJar()

  constructor(readonly origin: string) {}

  get cookieHeader(): string {
    return this.cookies.header
  }

  async send(path: string, init: { method?: string; headers?: Record<string, string>; json?: unknown; body?: string } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { ...init.headers }
    if (this.cookies.size) headers.cookie = this.cookieHeader
    let body = init.body
    if (init.json !== undefined) {
      body = JSON.stringify(init.json)
      headers['content-type'] ??= 'application/json'
    }
    const response = await rawRequest(this.origin, path, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body })
    this.cookies.absorb(response.headers['set-cookie'])
    return response
  }

  signUp(email: string, password = PASSWORD) {
    return this.send('/api/_guard/sign-up', { json: { email, password } })
  }

  signIn(email: string, password = PASSWORD, redirectUrl?: string) {
    return this.send('/api/_guard/sign-in', { json: { email, password, redirect_url: redirectUrl } })
  }
}

/**
 * What a user notices of an answer: its status, the error code (a guard
 * error's `error`, or the code of an h3 error page) and where a redirect
 * goes (its path only), and whether the app's handler served it.
 *
 * @example
 * answerOf(await app.request('/dashboard')) // { status: 302, error: undefined, to: '/sign-in', served: false }
 */
export function answerOf(response: RawResponse): { status: number; error?: string; to?: string; served: boolean } {
  let body: any
  try { body = JSON.parse(response.body) }
  catch { body = undefined }
  const location = response.headers.location as string | undefined
  return {
    status: response.status,
    error: body?.error ?? body?.data?.error,
    to: location === undefined ? undefined : new URL(location, 'http://x').pathname,
    served: typeof body?.served === 'string',
  }
}

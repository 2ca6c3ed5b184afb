import { ServerResponse, type IncomingMessage } from 'node:http'
import { createError, createEvent, getRequestHeader, send, sendError, type H3Event } from 'h3'
import { GuardError, sendGuardError } from './errors'
import { judgeRequest } from './judge-request'
import { guardSettings } from './guard-instance'
import { isSameOrigin } from './same-origin'
import { upgradeMiddleware } from './upgrade-middleware'

/** What crossws hands a global `upgrade` hook: a Request-like object (on Node, the raw request in `_req`). */
export interface UpgradeRequest {
  url: string
  headers: Headers
  context?: Record<string, unknown>
  _req?: IncomingMessage
}

/**
 * Judges a WebSocket upgrade exactly like an HTTP request for its path (every
 * reading of the path, the live route lists, the same verdicts), before the
 * `101 Switching Protocols`. Server middleware never runs for upgrades, so
 * without this every Nitro WebSocket route would be open; an app's
 * hand-written `guardMiddleware` runs here too (its per-request options,
 * then its handler for the app's routes). A cross-origin
 * upgrade is refused unless its origin is in `allowedOrigins`. Resolves to
 * `undefined` to let the upgrade through (the peer's `context.auth` is then
 * what a handler's `event.context.auth` would be); throws a `Response` to
 * refuse it, which crossws sends instead of the upgrade.
 *
 * @throws Response 400/401/403/503 (JSON or a redirect, as for the path), or
 *   403 `cross_origin_request`
 * @example
 * nitroApp.h3App.options.websocket = { hooks: { upgrade: judgeUpgrade } }
 */
export async function judgeUpgrade(request: UpgradeRequest): Promise<void> {
  const nodeRequest = request._req
  // Only the Node server gives the raw request to judge; anything else is refused rather than let through unseen.
  if (!nodeRequest) throw refusal(new GuardError('websocket_unsupported'))
  const captured = new CapturedResponse(nodeRequest)
  const event = createEvent(nodeRequest, captured)
  const app = upgradeMiddleware()
  app?.prepare(event)
  const crossOrigin = crossOriginRefusal(event)
  if (crossOrigin) await sendGuardError(event, crossOrigin)
  const judged = crossOrigin ? 'answered' : await judgeRequest(event, { ...app?.judging, sortRoutes: Boolean(app?.handler) })
  if (judged === 'app' && app?.handler) await runAppHandler(event, app.handler)
  if (judged === 'answered' || captured.ended) {
    throw new Response(captured.body || null, { status: captured.statusCode, headers: captured.headerList() })
  }
  if (request.context) request.context.auth = event.context.auth
}

/** The app's `guardMiddleware` handler on an upgrade: what it throws (or sends) is the answer in place of the `101`. */
async function runAppHandler(event: H3Event, handler: (event: H3Event) => unknown): Promise<void> {
  try {
    const returned = await handler(event)
    if (returned !== undefined && !event.handled) await send(event, typeof returned === 'string' ? returned : JSON.stringify(returned), 'application/json')
  }
  catch (error) {
    await sendError(event, createError(error as Error))
  }
}

function crossOriginRefusal(event: H3Event): GuardError | undefined {
  const origin = getRequestHeader(event, 'origin')
  if (!origin || isSameOrigin(event, origin)) return undefined
  const allowed = guardSettings().allowedOrigins
  if ((typeof allowed === 'string' ? allowed.split(',').map(item => item.trim()) : allowed).includes(origin)) return undefined
  return new GuardError('cross_origin_request', `WebSocket connections from ${origin} are refused; connect from the same origin or add it to guard.allowedOrigins.`)
}

/** A refusal with no h3 event to answer on (no raw Node request): the GuardError's status and body as a Response. */
function refusal(error: GuardError): Response {
  return new Response(JSON.stringify(error.body()), { status: error.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } })
}

/** A response that is never attached to a socket: the guard's answer is kept to be sent in place of the upgrade. */
class CapturedResponse extends ServerResponse {
  body = ''
  /** Whether an answer was written (`writableEnded` stays false: nothing reaches a socket). */
  ended = false

  override write(chunk: unknown): boolean {
    this.body += String(chunk ?? '')
    return true
  }

  override end(chunk?: unknown): this {
    if (chunk !== undefined && typeof chunk !== 'function') this.body += String(chunk)
    this.ended = true
    this.emit('finish')
    return this
  }

  headerList(): [string, string][] {
    return Object.entries(this.getHeaders()).flatMap(([name, value]) =>
      value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((item): [string, string] => [name, String(item)]))
  }
}

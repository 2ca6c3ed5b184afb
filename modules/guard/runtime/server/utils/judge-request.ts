import type { H3Event } from 'h3'
import { pathReadings } from '../../core/paths/canonicalize'
import { signedOutAuth, type GuardAuth } from '../../core/policy/auth'
import type { CompiledPolicy, RouteClass } from '../../core/policy/compile'
import { evaluateAccess } from '../../core/policy/decide'
import type { Guard } from '../../core/engine/create-guard'
import { clearSessionCookies, readCredentials, readSessionToken, writeSessionCookies } from './cookies'
import { sendGuardError } from './errors'
import { currentGuard, guardSettings, readyGuard } from './guard-instance'
import { respondToDenial } from './respond'

export interface JudgeOptions {
  /** Enforce the live route policy; `false` only resolves `event.context.auth`. @default true */
  enforce?: boolean
}

/**
 * Resolves who is asking (cached token → verified token → refresh) and puts
 * it on `event.context.auth`. Sets or clears cookies as the refresh decides.
 *
 * @example
 * const { auth } = await resolveAuth(event, guard)
 */
export async function resolveAuth(event: H3Event, guard: Guard): Promise<{ auth: GuardAuth; unavailable: boolean }> {
  const result = await guard.authenticator.authenticate(readCredentials(event))
  const secure = guardSettings().cookieSecure
  if (result.status === 'signed-in' && result.issued) writeSessionCookies(event, { token: result.issued.token }, secure)
  if (result.status === 'signed-out' && result.clearCookies) clearSessionCookies(event, secure)
  event.context.auth = result.auth
  return { auth: result.auth, unavailable: result.status === 'unavailable' }
}

/**
 * The guard's whole judgement of one request: `false` to let it through,
 * `true` when the guard has answered it (400, 503, a redirect or a JSON
 * error). A signed-in request with a cached token is judged synchronously:
 * no promise, no crypto, no I/O.
 *
 * @example
 * const judged = judgeRequest(event)
 * if (judged === true || (judged !== false && await judged)) return
 */
export function judgeRequest(event: H3Event, options: JudgeOptions = {}): boolean | Promise<boolean> {
  const readings = pathReadings(event.path)
  if (!readings.ok) {
    return sendGuardError(event, 400, { error: 'invalid_request', error_description: `The request path is not valid: ${readings.reason}.` }).then(() => true)
  }
  const guard = readyGuard()
  if (!guard) return judgeWhileStarting(event, readings.readings, options)
  const policy = guard.live.policy
  const route = policy.classify(readings.readings)
  if (route.kind === 'ignored') return false
  const token = readSessionToken(event)
  const cached = token ? guard.authenticator.fromCache(token) : undefined
  if (!cached) return resolveAuth(event, guard).then(({ auth, unavailable }) => decide(event, guard, policy, route, auth, unavailable, options))
  event.context.auth = cached
  return decide(event, guard, policy, route, cached, false, options)
}

async function judgeWhileStarting(event: H3Event, readings: string[], options: JudgeOptions): Promise<boolean> {
  const { guard, policy } = await currentGuard()
  if (guard) return judgeRequest(event, options)
  const route = policy.classify(readings)
  if (route.kind === 'ignored') return false
  event.context.auth = signedOutAuth
  return route.kind === 'protected' ? serviceUnavailable(event) : false
}

function decide(event: H3Event, guard: Guard, policy: CompiledPolicy, route: Exclude<RouteClass, { kind: 'ignored' }>, auth: GuardAuth, unavailable: boolean, { enforce = true }: JudgeOptions): boolean | Promise<boolean> {
  const debug = guardSettings().debug
  if (route.kind === 'public' || !enforce) {
    if (debug) logDecision(event, route.kind === 'public' ? 'allow (public)' : 'allow (not enforced)', '-', route.kind)
    return false
  }
  if (unavailable) return serviceUnavailable(event)
  const verdict = evaluateAccess(policy, { auth, rules: route.rules, mfaExempt: route.mfaExempt, nowSeconds: guard.now() / 1000 })
  if (debug) logDecision(event, verdict.allow ? 'allow' : `${verdict.status} ${verdict.error}`, route.rules.map(rule => rule.pattern).join(',') || '-', verdict.reason)
  if (verdict.allow) return false
  return respondToDenial(event, verdict, route.api, policy).then(() => true)
}

async function serviceUnavailable(event: H3Event): Promise<true> {
  event.node.res.setHeader('retry-after', '5')
  await sendGuardError(event, 503, { error: 'temporarily_unavailable', error_description: 'The authentication service cannot reach its database or keys; try again shortly.' })
  return true
}

function logDecision(event: H3Event, outcome: string, rules: string, reason: string): void {
  console.info(`[nuxt-guard] ${event.method} ${event.path} → ${outcome} rule=${rules} reason="${reason}"`)
}

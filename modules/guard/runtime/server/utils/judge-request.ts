import type { H3Event } from 'h3'
import { pathReadings } from '../../core/paths/canonicalize'
import { signedOutAuth, type GuardAuth } from '../../core/policy/auth'
import { evaluateAccess } from '../../core/policy/decide'
import type { Guard } from '../../core/engine/create-guard'
import { clearSessionCookies, readCredentials, writeSessionCookies } from './cookies'
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
 * const auth = await resolveAuth(event, guard)
 */
export async function resolveAuth(event: H3Event, guard: Guard, credentials = readCredentials(event)): Promise<{ auth: GuardAuth; unavailable: boolean }> {
  const result = await guard.authenticator.authenticate(credentials)
  const secure = guardSettings().cookieSecure
  if (result.status === 'signed-in' && result.issued) writeSessionCookies(event, { token: result.issued.token }, secure)
  if (result.status === 'signed-out' && result.clearCookies) clearSessionCookies(event, secure)
  event.context.auth = result.auth
  return { auth: result.auth, unavailable: result.status === 'unavailable' }
}

/**
 * The guard's whole judgement of one request. Returns `true` when it has
 * answered the request itself (400, 503, a redirect or a JSON error).
 *
 * @example
 * if (await judgeRequest(event)) return
 */
export async function judgeRequest(event: H3Event, { enforce = true }: JudgeOptions = {}): Promise<boolean> {
  const readings = pathReadings(event.path)
  if (!readings.ok) {
    await sendGuardError(event, 400, { error: 'invalid_request', error_description: `The request path is not valid: ${readings.reason}.` })
    return true
  }
  const ready = readyGuard()
  const { guard, policy } = ready ? { guard: ready, policy: ready.live.policy } : await currentGuard()
  const route = policy.classify(readings.readings)
  if (route.kind === 'ignored') return false

  if (!guard) {
    event.context.auth = signedOutAuth
    return route.kind === 'protected' ? serviceUnavailable(event) : false
  }
  const credentials = readCredentials(event)
  const cached = credentials.token ? guard.authenticator.fromCache(credentials.token) : undefined
  if (cached) event.context.auth = cached
  const { auth, unavailable } = cached ? { auth: cached, unavailable: false } : await resolveAuth(event, guard, credentials)
  if (route.kind === 'public' || !enforce) {
    if (guardSettings().debug) logDecision(event, route.kind === 'public' ? 'allow (public)' : 'allow (not enforced)', '-', route.kind)
    return false
  }
  if (unavailable) return serviceUnavailable(event)

  const verdict = evaluateAccess(policy, { auth, rules: route.rules, mfaExempt: route.mfaExempt, nowSeconds: guard.now() / 1000 })
  if (guardSettings().debug) {
    logDecision(event, verdict.allow ? 'allow' : `${verdict.status} ${verdict.error}`, route.rules.map(rule => rule.pattern).join(',') || '-', verdict.reason)
  }
  if (verdict.allow) return false
  await respondToDenial(event, verdict, route.api, policy)
  return true
}

async function serviceUnavailable(event: H3Event): Promise<true> {
  event.node.res.setHeader('retry-after', '5')
  await sendGuardError(event, 503, { error: 'temporarily_unavailable', error_description: 'The authentication service cannot reach its database or keys; try again shortly.' })
  return true
}

function logDecision(event: H3Event, outcome: string, rules: string, reason: string): void {
  console.info(`[nuxt-guard] ${event.method} ${event.path} → ${outcome} rule=${rules} reason="${reason}"`)
}

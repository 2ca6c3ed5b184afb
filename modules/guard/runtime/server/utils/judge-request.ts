import type { H3Event } from 'h3'
import { pathReadings } from '../../core/paths/canonicalize'
import { signedOutAuth, type GuardAuth } from '../../core/policy/auth'
import { GUARD_API_PATTERN, type CompiledPolicy, type RouteClass } from '../../core/policy/compile'
import { checkPattern } from '../../core/routing/pattern'
import { evaluateAccess } from '../../core/policy/decide'
import type { Guard } from '../../core/engine/create-guard'
import { clearSessionCookies, readCredentials, readSessionToken, writeSessionCookies } from './cookies'
import { GuardError, sendGuardError, unavailableError } from './errors'
import { currentGuard, guardSettings, readyGuard } from './guard-instance'
import { respondToDenial } from './respond'
import { credentialsWithParty, requestRoute, screenAuth } from './request-options'

export interface JudgeOptions {
  /**
   * Tell the app's own routes (`'app'`) from the guard's (`'guard'`: see
   * {@link isGuardOwnPath}) among those let through; without it, every request
   * let through past the route lists is `'app'` and no time is spent sorting.
   * @default false
   */
  sortRoutes?: boolean
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
  const result = await guard.authenticator.authenticate(credentialsWithParty(event, readCredentials(event)))
  const secure = guardSettings().cookieSecure
  if (result.status === 'signed-in' && result.issued) writeSessionCookies(event, { token: result.issued.token }, secure)
  if (result.status === 'signed-out' && result.clearCookies) clearSessionCookies(event, secure)
  // A token for another audience or origin (aud, azp) is judged as signed out.
  const auth = event.context.auth = screenAuth(event, result.auth)
  if (result.status === 'unavailable') event.context.guardCredentialsUnchecked = true
  return { auth, unavailable: result.status === 'unavailable' }
}

/**
 * Whether this request carried session credentials that could not be
 * checked because the database or keys are unreachable (or the guard did not
 * start): its signed-out `auth` means "unknown", so a "sign in" answer would
 * be wrong — answer 503 `temporarily_unavailable` instead.
 *
 * @example
 * if (!auth.userId && credentialsUnchecked(event)) throw unavailableError()
 */
export function credentialsUnchecked(event: H3Event): boolean {
  return event.context.guardCredentialsUnchecked === true
}

/**
 * What the guard made of one request:
 * - `'app'`: let through, and it is one of the app's own routes — an app's
 *   hand-written middleware runs (see `guardMiddleware`);
 * - `'guard'`: let through, but no app middleware is for it: an ignored
 *   route, or (with `sortRoutes`) the guard's own API (`/api/_guard/**`) or
 *   the page a signed-in user needs to finish signing in (the live
 *   `mfa.enrollUrl`, `mfa.challengeUrl`, `account.verifyEmailUrl`, `organizations.orgSelectionUrl`,
 *   `organizations.invitationUrl` and anything under them) — by every
 *   reading of its path;
 * - `'answered'`: the guard has answered it (400, 503, a redirect or a JSON error).
 */
export type Judgement = 'app' | 'guard' | 'answered'

/**
 * The guard's whole judgement of one request (see {@link Judgement}). A
 * signed-in request with a cached token is judged synchronously: no promise,
 * no crypto, no I/O.
 *
 * @example
 * const judged = judgeRequest(event)
 * if ((typeof judged === 'string' ? judged : await judged) === 'app') await appChecks(event)
 */
export function judgeRequest(event: H3Event, options: JudgeOptions = {}): Judgement | Promise<Judgement> {
  const readings = pathReadings(event.path)
  if (!readings.ok) {
    return sendGuardError(event, new GuardError('malformed_request', `The request path is not valid: ${readings.reason}.`)).then(answered)
  }
  const guard = readyGuard()
  if (!guard) return judgeWhileStarting(event, readings.readings, options)
  // Another instance saved a version this one is still reading: judge by it, not the old one.
  if (guard.live.behind) return guard.live.settled().then(() => judgeRequest(event, options))
  const policy = guard.live.policy
  const route = requestRoute(event, policy.classify(readings.readings), readings.readings)
  if (route.kind === 'ignored') return 'guard'
  const token = readSessionToken(event)
  const cached = token ? guard.authenticator.fromCache(token) : undefined
  if (!cached) return resolveAuth(event, guard).then(({ auth, unavailable }) => decide(event, guard, policy, readings.readings, route, auth, unavailable, options))
  const auth = event.context.auth = screenAuth(event, cached)
  return decide(event, guard, policy, readings.readings, route, auth, false, options)
}

/**
 * Whether every reading of a path is the guard's own: its API or one of the
 * pages a signed-in user needs to finish signing in (the live config's
 * enrollment, challenge, verify-email and organization selection and
 * invitation pages, and anything under them). One reading that
 * is not — `/api/_guard/../orders` also reads as `/api/orders` — makes the
 * path the app's. Compares strings only: no allocation per request.
 *
 * @example
 * isGuardOwnPath(policy, ['/api/_guard/session'])                         // true
 * isGuardOwnPath(policy, ['/api/orders', '/api/_guard/../orders'])        // false
 * isGuardOwnPath(policy, ['/account/manage-mfa/add'])                     // true (default enrollUrl)
 * isGuardOwnPath(policy, ['/account/manage-mfa/added'])                   // false
 */
export function isGuardOwnPath(policy: CompiledPolicy, readings: readonly string[]): boolean {
  const bases = guardOwnBases(policy)
  for (let r = 0; r < readings.length; r++) {
    const reading = readings[r]!
    let own = false
    for (let b = 0; b < bases.length && !own; b++) own = isAtOrUnder(reading, bases[b]!)
    if (!own) return false
  }
  return readings.length > 0
}

/** The guard's own API, without its `/**`. */
const GUARD_API_BASE = GUARD_API_PATTERN.slice(0, -'/**'.length)

/** Each compiled policy's guard-own base paths, canonical like the readings; built once per version. */
const ownBasesByPolicy = new WeakMap<CompiledPolicy, readonly string[]>()

function guardOwnBases(policy: CompiledPolicy): readonly string[] {
  let bases = ownBasesByPolicy.get(policy)
  if (!bases) {
    const list = [GUARD_API_BASE]
    const { organizations } = policy.config
    for (const url of [policy.config.mfa.enrollUrl, policy.config.mfa.challengeUrl, policy.config.account.verifyEmailUrl, organizations.orgSelectionUrl, organizations.invitationUrl]) {
      const check = checkPattern(url) // the validated config's exact paths, lower-cased as the matcher sees them
      if (check.ok && !list.includes(check.pattern)) list.push(check.pattern)
    }
    bases = Object.freeze(list)
    ownBasesByPolicy.set(policy, bases)
  }
  return bases
}

/** `path` is `base` or below it, at a segment boundary (`/` is the root only, never "everything"). */
function isAtOrUnder(path: string, base: string): boolean {
  if (path.length === base.length || base.length === 1) return path === base
  return path.length > base.length && path.charCodeAt(base.length) === 0x2f && path.startsWith(base)
}

function whoseRoute(policy: CompiledPolicy, readings: readonly string[], { sortRoutes = false }: JudgeOptions): Judgement {
  return sortRoutes && isGuardOwnPath(policy, readings) ? 'guard' : 'app'
}

function answered(): Judgement {
  return 'answered'
}

async function judgeWhileStarting(event: H3Event, readings: string[], options: JudgeOptions): Promise<Judgement> {
  const { guard, policy } = await currentGuard()
  if (guard) return judgeRequest(event, options)
  const route = policy.classify(readings)
  if (route.kind === 'ignored') return 'guard'
  event.context.auth = signedOutAuth
  const { token, refreshToken } = readCredentials(event)
  if (token || refreshToken) event.context.guardCredentialsUnchecked = true
  return route.kind === 'protected' ? serviceUnavailable(event) : whoseRoute(policy, readings, options)
}

function decide(event: H3Event, guard: Guard, policy: CompiledPolicy, readings: readonly string[], route: Exclude<RouteClass, { kind: 'ignored' }>, auth: GuardAuth, unavailable: boolean, options: JudgeOptions): Judgement | Promise<Judgement> {
  const { enforce = true } = options
  const debug = guardSettings().debug
  if (route.kind === 'public' || !enforce) {
    if (debug) logDecision(event, route.kind === 'public' ? 'allow (public)' : 'allow (not enforced)', '-', route.kind)
    return whoseRoute(policy, readings, options)
  }
  if (unavailable) return serviceUnavailable(event)
  const verdict = evaluateAccess(policy, { auth, rules: route.rules, mfaExempt: route.mfaExempt, emailVerificationExempt: route.verifyExempt, organizationExempt: route.orgExempt, nowSeconds: guard.now() / 1000 })
  if (debug) logDecision(event, verdict.allow ? 'allow' : `${verdict.status} ${verdict.error}`, route.rules.map(rule => rule.pattern).join(',') || '-', verdict.reason)
  if (verdict.allow) return whoseRoute(policy, readings, options)
  return respondToDenial(event, verdict, route.api, policy).then(answered)
}

async function serviceUnavailable(event: H3Event): Promise<Judgement> {
  await sendGuardError(event, unavailableError())
  return 'answered'
}

function logDecision(event: H3Event, outcome: string, rules: string, reason: string): void {
  console.info(`[nuxt-guard] ${event.method} ${event.path} → ${outcome} rule=${rules} reason="${reason}"`)
}

import type { GuardConfigInput, RouteRequirement } from '../../modules/guard/runtime/core/config/schema'
import { formatConfigIssues, validateConfig } from '../../modules/guard/runtime/core/config/validate'
import { pathReadings } from '../../modules/guard/runtime/core/paths/canonicalize'
import { signedInAuth, signedOutAuth, type SessionClaims } from '../../modules/guard/runtime/core/policy/auth'
import { compilePolicy, type CompiledPolicy, type RouteClass } from '../../modules/guard/runtime/core/policy/compile'
import { evaluateAccess, type Verdict } from '../../modules/guard/runtime/core/policy/decide'

// Shared by the policy tests: a compiled policy from a config, the middleware's way of
// classifying a raw path, and a verdict reduced to what a caller sees.
export const NOW = 1_700_000_600
/** Ten minutes before NOW. */
export const TOTP_AT = 1_700_000_000

export function policyOf(input: GuardConfigInput = {}): CompiledPolicy {
  const result = validateConfig(input)
  if (!result.ok) throw new Error(`invalid test config:\n${formatConfigIssues(result.issues)}`)
  return compilePolicy(result.config, 1)
}

/** Classifies a raw request path the way the middleware does: every reading. */
export function classify(policy: CompiledPolicy, rawPath: string): RouteClass {
  const readings = pathReadings(rawPath)
  if (!readings.ok) throw new Error(`${rawPath}: ${readings.reason}`)
  return policy.classify(readings.readings)
}

export function claims(overrides: Partial<SessionClaims> = {}): SessionClaims {
  return { sub: 'usr_1', sid: 'ses_1', iss: 'https://app.example', iat: NOW - 30, exp: NOW + 30, roles: ['member'], ...overrides }
}

/** Signed in, second factor enrolled but not completed in this session. */
export const enrolledOnly = (factors: NonNullable<SessionClaims['mfa']>['e'] = ['totp']) => ({ c: {}, v: false, e: factors })
/** Signed in with TOTP completed ten minutes ago. */
export const totpDone = { c: { totp: TOTP_AT }, v: true, e: ['totp' as const] }

export interface JudgeOptions { extra?: RouteRequirement; now?: number }

/** Classifies `rawPath`, then judges `sessionClaims` (null = signed out) against it. */
export function judge(policy: CompiledPolicy, rawPath: string, sessionClaims: SessionClaims | null, options: JudgeOptions = {}): Verdict {
  const route = classify(policy, rawPath)
  if (route.kind !== 'protected') throw new Error(`${rawPath} is ${route.kind}, not protected`)
  const auth = sessionClaims ? signedInAuth(sessionClaims, policy.permissionsFor(sessionClaims.roles)) : signedOutAuth
  return evaluateAccess(policy, {
    auth, rules: route.rules, mfaExempt: route.mfaExempt, emailVerificationExempt: route.verifyExempt, organizationExempt: route.orgExempt, extra: options.extra, nowSeconds: options.now ?? NOW,
  })
}

/** The fields of a verdict that matter to a caller, without the matched rules. */
export function outcome(verdict: Verdict) {
  if (verdict.allow) return { allow: true, reason: verdict.reason }
  const { allow, status, error, reason, factors, maxAgeSeconds } = verdict
  return JSON.parse(JSON.stringify({ allow, status, error, reason, factors, maxAgeSeconds })) as Record<string, unknown>
}

export const ALLOWED = { allow: true, reason: 'signed in' }
export const ALLOWED_BY_RULES = { allow: true, reason: 'signed in and every matched rule is satisfied' }
export const NOT_ENROLLED = { allow: false, status: 403, error: 'mfa_enrollment_required', reason: 'second factor required; none enrolled' }

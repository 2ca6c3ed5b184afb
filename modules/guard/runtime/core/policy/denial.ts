import type { FactorId } from '../config/schema'
import { GUARD_ERROR_CODES } from '../errors'
import type { CompiledPolicy } from './compile'
import type { DenyCode, Verdict } from './decide'
import { strandedDetails, strandedExplanation } from '../mfa/stranded'

/** A verdict that refuses the request. */
export type Denial = Extract<Verdict, { allow: false }>

/** The JSON body of a denial, as the HTTP contract spells it (`claimValidationErrors` on INVALID_CLAIMS only). */
export type DenialBody = {
  error: DenyCode
  error_description: string
  claimValidationErrors?: { id: 'mfa'; reason: { message: string; factorId: FactorId } }[]
} & Partial<ReturnType<typeof strandedDetails>>

/**
 * The JSON body for a denial: `{ error, error_description }` (the error
 * registry's description of the code, then the verdict's reason), plus
 * `claimValidationErrors` naming the first missing factor on INVALID_CLAIMS.
 *
 * @example
 * denialBody(verdict) // { error: 'forbidden', error_description: 'You do not have access to this resource. (rule /admin/** needs one of the roles: admin)' }
 */
export function denialBody(verdict: Denial): DenialBody {
  const body: DenialBody = { error: verdict.error, error_description: `${GUARD_ERROR_CODES[verdict.error].description} (${verdict.reason})` }
  if (verdict.error === 'INVALID_CLAIMS') {
    body.claimValidationErrors = (verdict.factors ?? []).slice(0, 1).map(factorId => ({
      id: 'mfa',
      reason: { message: 'second factor not completed in this session', factorId },
    }))
  }
  if (verdict.stranded) Object.assign(body, { error_description: `${strandedExplanation(verdict.stranded)} (${verdict.reason})` }, strandedDetails(verdict.stranded))
  return body
}

/**
 * Where a page request that was denied is sent: sign-in, the verify-email
 * page, MFA enrollment or the challenge, the organization selection page
 * (`organizations.orgSelectionUrl`), each with the return path; `undefined` (forbidden) = answer
 * in place. API requests are never redirected: callers ask only for pages.
 *
 * @example
 * denialRedirect(verdict, policy, '/billing') // '/sign-in?redirect_url=%2Fbilling'
 */
export function denialRedirect(verdict: Denial, policy: CompiledPolicy, path: string): string | undefined {
  const { config } = policy
  const target = {
    unauthenticated: config.signInUrl,
    email_verification_required: config.account.verifyEmailUrl,
    // No active organization: the selection page lists the user's organizations (and offers to create one), then comes back.
    organization_required: config.organizations.orgSelectionUrl,
    mfa_enrollment_required: config.mfa.enrollUrl,
    // Stranded: the challenge page explains, lets them prove it is them, then sends them to enroll.
    mfa_reenrollment_required: config.mfa.challengeUrl,
    INVALID_CLAIMS: config.mfa.challengeUrl,
    mfa_required: config.mfa.challengeUrl,
    forbidden: undefined,
  }[verdict.error]
  return target && pageWithReturnPath(target, path)
}

/**
 * A page of the guard's (sign-in, enrollment, challenge) with the path to
 * return to afterwards.
 *
 * @example
 * pageWithReturnPath('/mfa-challenge', '/billing?tab=plan') // '/mfa-challenge?redirect_url=%2Fbilling%3Ftab%3Dplan'
 */
export function pageWithReturnPath(page: string, path: string): string {
  return `${page}?redirect_url=${encodeURIComponent(path)}`
}

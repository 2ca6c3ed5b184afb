import { sendRedirect, setResponseHeader, type H3Event } from 'h3'
import type { CompiledPolicy } from '../../core/policy/compile'
import { denialBody, denialRedirect, pageWithReturnPath, type Denial } from '../../core/policy/denial'
import { FACTOR_IDS, type FactorId } from '../../core/config/schema'
import type { GuardAuth } from '../../core/policy/auth'
import { GuardError, returnPath, sendGuardError, toH3Error } from './errors'
import { readyGuard } from './guard-instance'
import { requestOptions } from './request-options'
import { MfaRequiredError } from '../../core/mfa/step-up-errors'

/**
 * The step-up part of a `mfa_required` denial: a fresh `mfa_token` bound to
 * the session, and which factors can answer (`challenge`) or could be set up
 * (`enroll`). Async (the token is a JWE): only ever called on denial.
 *
 * @example
 * const { mfa_token, mfa_requirements } = await stepUpDetails(verdict, auth)
 */
export async function stepUpDetails(verdict: Denial, auth: GuardAuth): Promise<{ mfa_token: string; mfa_requirements: { challenge: { type: FactorId }[]; enroll?: { type: FactorId }[] } }> {
  const guard = readyGuard()
  if (!guard || !auth.sessionId) throw new GuardError('temporarily_unavailable', 'The authentication service is starting; try again shortly.')
  const { strategies } = guard.live.policy.config.mfa
  const enrolled = auth.sessionClaims?.mfa?.e ?? []
  const challenge = (verdict.factors ?? []).map(type => ({ type }))
  const enroll = FACTOR_IDS.filter(type => strategies[type] && type !== 'recovery_code' && !enrolled.includes(type)).map(type => ({ type }))
  return {
    mfa_token: await guard.mfa.mintStepUpToken(auth.sessionId),
    mfa_requirements: enroll.length ? { challenge, enroll } : { challenge },
  }
}

/**
 * The GuardError a handler throws for a denial (`requireAuth`): the
 * contract's body, with a fresh `mfa_token` and `mfa_requirements` on
 * `mfa_required`; its status is the registry's for the denial's code.
 *
 * @example
 * if (!verdict.allow) throw await denialError(verdict, auth)
 */
export async function denialError(verdict: Denial, auth: GuardAuth): Promise<GuardError> {
  const stepUp = verdict.error === 'mfa_required' && auth.sessionId ? await stepUpDetails(verdict, auth) : undefined
  return withDetails(verdict, stepUp)
}

function withDetails(verdict: Denial, stepUp: Awaited<ReturnType<typeof stepUpDetails>> | undefined): GuardError {
  const { error, error_description, ...details } = denialBody(verdict)
  // Auth0's class, so an app's handler can catch it (requireAuth) and answer its toJSON() body.
  if (error === 'mfa_required' && stepUp) return new MfaRequiredError(error_description, stepUp.mfa_token, stepUp.mfa_requirements)
  return new GuardError(error, error_description, { ...details, ...stepUp })
}

/**
 * Answers a denied request: JSON for API routes (never a redirect); for pages
 * a redirect, or (forbidden) a thrown error that Nuxt renders as its error page.
 *
 * @example
 * if (!verdict.allow) return respondToDenial(event, verdict, route.api, policy)
 */
export async function respondToDenial(event: H3Event, verdict: Denial, api: boolean, policy: CompiledPolicy): Promise<void> {
  const stepUp = verdict.error === 'mfa_required' && event.context.auth ? await stepUpDetails(verdict, event.context.auth) : undefined
  const location = api ? undefined : withMfaToken(signInOr(denialRedirect(verdict, policy, returnPath(event)), verdict, returnPath(event), requestOptions(event)?.signInUrl), stepUp)
  if (location) {
    setResponseHeader(event, 'cache-control', 'no-store')
    await sendRedirect(event, location, event.method === 'GET' || event.method === 'HEAD' ? 302 : 303)
    return
  }
  if (!api) throw toH3Error(event, new GuardError(verdict.error, denialBody(verdict).error_description))
  await sendGuardError(event, withDetails(verdict, stepUp))
}

/**
 * Where a denied page navigation goes, with the step-up `mfa_token` when the
 * second factor is stale: the same answer for a full page load (the
 * middleware's redirect) and a client-side navigation (GET /verdict).
 *
 * @example
 * const redirect = await pageDenialRedirect(verdict, policy, '/billing', getAuth(event)) // '/mfa-challenge?redirect_url=%2Fbilling&mfa_token=…'
 */
export async function pageDenialRedirect(verdict: Denial, policy: CompiledPolicy, path: string, auth: GuardAuth | undefined, signInUrl?: string): Promise<string | undefined> {
  const stepUp = verdict.error === 'mfa_required' && auth?.sessionId ? await stepUpDetails(verdict, auth) : undefined
  return withMfaToken(signInOr(denialRedirect(verdict, policy, path), verdict, path, signInUrl), stepUp)
}

/** This request's own sign-in page (guardMiddleware's per-request `signInUrl`) for a signed-out page request. */
function signInOr(location: string | undefined, verdict: Denial, path: string, signInUrl: string | undefined): string | undefined {
  return signInUrl && verdict.error === 'unauthenticated' ? pageWithReturnPath(signInUrl, path) : location
}

function withMfaToken(location: string | undefined, stepUp: { mfa_token: string } | undefined): string | undefined {
  return location && stepUp ? `${location}&mfa_token=${encodeURIComponent(stepUp.mfa_token)}` : location
}

import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON, AuthenticationResponseJSON } from '@simplewebauthn/browser'
import type { FactorId } from '../../core/config/schema'
import type { GuardAnswer } from '../types/guard-api'

/** Second factors nuxt-guard knows (`totp`, `email_code`, `webauthn`, `recovery_code`). */
export type { FactorId }

/** GET /api/_guard/mfa/factors: the strategies, enforcement, your factors and this session's completions. */
export type FactorsOverview = GuardAnswer<'/api/_guard/mfa/factors'>

/** One of your factors, as the overview lists it. */
export type EnrolledFactor = FactorsOverview['enrolled'][number]

/** What confirming a new factor answers (authenticator app, email codes, passkey); the first one brings recovery codes. */
export type Enrolled = GuardAnswer<'/api/_guard/mfa/totp/verify'> | GuardAnswer<'/api/_guard/mfa/email/verify'> | GuardAnswer<'/api/_guard/mfa/webauthn/register/verify'>

/** One of your live sessions, this one marked `current`. */
export type ActiveSession = GuardAnswer<'/api/_guard/account/sessions'>['sessions'][number]

/** The body of POST /api/_guard/mfa/challenge. */
export interface ChallengeAnswer { factor: FactorId; code?: string; response?: AuthenticationResponseJSON; mfaToken?: string; rememberDevice?: boolean; redirect_url?: string }

/** POST /api/_guard/mfa/challenge; `satisfied: false` = the MFA requirements still want another factor. */
export type ChallengeResult = GuardAnswer<'/api/_guard/mfa/challenge'>

export { FACTOR_LABELS, FACTOR_SHORT_LABELS } from '../../core/mfa/factor-labels'

const base = '/api/_guard'
// Unsafe methods always send a JSON body: the guard API refuses any other content type.

/**
 * Typed calls to the guard's MFA and account API (see the HTTP contract);
 * each resolves to what its handler returns. Failures throw `FetchError`;
 * read them with `apiProblem(error)` from `#guard/app/utils/api-problem`.
 *
 * @example
 * const mfa = useMfaApi()
 * const { strategies, enrolled } = await mfa.factors()
 * const { secret, qrSvg } = await mfa.enrollTotp()
 * const { recoveryCodes } = await mfa.verifyTotp('123456')
 */
export function useMfaApi() {
  // Unsafe methods always send a JSON body: the guard API refuses any other content type. The return
  // types name each route as well, for the package's type declarations (written without Nitro's route types).
  // Passkey options are WebAuthn's own JSON types, which startRegistration/startAuthentication take:
  // Nitro's JSON typing of the server's copy garbles their binary extension inputs.
  return {
    factors: (): Promise<FactorsOverview> => $fetch(`${base}/mfa/factors`),
    enrollTotp: (): Promise<GuardAnswer<'/api/_guard/mfa/totp/enroll'>> => $fetch(`${base}/mfa/totp/enroll`, { method: 'POST', body: {} }),
    verifyTotp: (code: string): Promise<Enrolled> => $fetch(`${base}/mfa/totp/verify`, { method: 'POST', body: { code } }),
    sendEmailCode: (purpose: 'enroll' | 'challenge', mfaToken?: string): Promise<GuardAnswer<'/api/_guard/mfa/email/send'>> =>
      $fetch(`${base}/mfa/email/send`, { method: 'POST', body: { purpose, mfaToken } }),
    verifyEmail: (code: string): Promise<Enrolled> => $fetch(`${base}/mfa/email/verify`, { method: 'POST', body: { code } }),
    passkeyRegistrationOptions: () => $fetch<PublicKeyCredentialCreationOptionsJSON>(`${base}/mfa/webauthn/register/options`, { method: 'POST', body: {} }),
    verifyPasskey: (response: RegistrationResponseJSON, label?: string): Promise<Enrolled> =>
      $fetch(`${base}/mfa/webauthn/register/verify`, { method: 'POST', body: { response, label } }),
    passkeyAuthenticationOptions: (mfaToken?: string) =>
      $fetch<PublicKeyCredentialRequestOptionsJSON>(`${base}/mfa/webauthn/authenticate/options`, { method: 'POST', body: { mfaToken } }),
    challenge: (answer: ChallengeAnswer): Promise<ChallengeResult> => $fetch(`${base}/mfa/challenge`, { method: 'POST', body: answer }),
    regenerateRecoveryCodes: (): Promise<GuardAnswer<'/api/_guard/mfa/recovery-codes'>> => $fetch(`${base}/mfa/recovery-codes`, { method: 'POST', body: {} }),
    removeFactor: (id: string): Promise<GuardAnswer<'/api/_guard/mfa/factors/:id'>> =>
      $fetch(`${base}/mfa/factors/${encodeURIComponent(id)}`, { method: 'DELETE', body: {} }),
    sessions: (): Promise<GuardAnswer<'/api/_guard/account/sessions'>> => $fetch(`${base}/account/sessions`),
    revokeSession: (id: string): Promise<GuardAnswer<'/api/_guard/account/sessions/:id'>> =>
      $fetch(`${base}/account/sessions/${encodeURIComponent(id)}`, { method: 'DELETE', body: {} }),
    revokeOtherSessions: (): Promise<GuardAnswer<'/api/_guard/account/sessions/revoke-others'>> =>
      $fetch(`${base}/account/sessions/revoke-others`, { method: 'POST', body: {} }),
  }
}

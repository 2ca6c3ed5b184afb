import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON, AuthenticationResponseJSON } from '@simplewebauthn/browser'

/** Second factors nuxt-guard knows. */
export type FactorType = 'totp' | 'recovery_code' | 'email_code' | 'webauthn'

export interface EnrolledFactor { id: string; type: FactorType; label: string; createdAt: string | number; lastUsedAt: string | number | null }

/** GET /api/_guard/mfa/factors */
export interface FactorsOverview {
  strategies: Record<FactorType, boolean>
  enforce: 'off' | 'all' | 'rules'
  enrolled: EnrolledFactor[]
  recoveryCodesRemaining: number
  completed: Record<string, number>
  satisfied: boolean
}

export interface Enrolled { enrolled: true; factor: FactorType; id?: string; recoveryCodes?: string[] }
export interface ActiveSession { id: string; current: boolean; createdAt: string | number; lastActiveAt: string | number; ip: string | null; userAgent: string | null }
export interface ChallengeAnswer { factor: FactorType; code?: string; response?: AuthenticationResponseJSON; mfaToken?: string; rememberDevice?: boolean; redirect_url?: string }

/** POST /api/_guard/mfa/challenge; `satisfied: false` = the MFA requirements still want another factor. */
export interface ChallengeResult { completed: FactorType; redirectTo: string; satisfied?: boolean }

/**
 * How the console names each factor.
 *
 * @example
 * FACTOR_LABELS.webauthn // 'Passkey or security key'
 */
export const FACTOR_LABELS: Record<FactorType, string> = {
  totp: 'Authenticator app',
  email_code: 'Email code',
  webauthn: 'Passkey or security key',
  recovery_code: 'Recovery code',
}

/**
 * Short names for tabs and badges.
 *
 * @example
 * FACTOR_SHORT_LABELS.totp // 'App code'
 */
export const FACTOR_SHORT_LABELS: Record<FactorType, string> = {
  totp: 'App code',
  email_code: 'Email',
  webauthn: 'Passkey',
  recovery_code: 'Recovery code',
}

const base = '/api/_guard'
// Unsafe methods always send a JSON body: the guard API refuses any other content type.
const post = <T>(path: string, body: object = {}) => $fetch<T>(`${base}/${path}`, { method: 'POST', body })
const remove = <T>(path: string) => $fetch<T>(`${base}/${path}`, { method: 'DELETE', body: {} })

/**
 * Typed calls to the guard's MFA and account API (see the HTTP contract).
 * Failures throw `FetchError`; read them with `apiProblem(error)`.
 *
 * @example
 * const mfa = useMfaApi()
 * const { strategies, enrolled } = await mfa.factors()
 * const { secret, qrSvg } = await mfa.enrollTotp()
 * const { recoveryCodes } = await mfa.verifyTotp('123456')
 */
export function useMfaApi() {
  return {
    factors: () => $fetch<FactorsOverview>(`${base}/mfa/factors`),
    enrollTotp: () => post<{ secret: string; uri: string; qrSvg: string }>('mfa/totp/enroll'),
    verifyTotp: (code: string) => post<Enrolled>('mfa/totp/verify', { code }),
    sendEmailCode: (purpose: 'enroll' | 'challenge', mfaToken?: string) => post<{ sentTo: string; expiresInSeconds: number }>('mfa/email/send', { purpose, mfaToken }),
    verifyEmail: (code: string) => post<Enrolled>('mfa/email/verify', { code }),
    passkeyRegistrationOptions: () => post<PublicKeyCredentialCreationOptionsJSON>('mfa/webauthn/register/options'),
    verifyPasskey: (response: RegistrationResponseJSON, label?: string) => post<Enrolled>('mfa/webauthn/register/verify', { response, label }),
    passkeyAuthenticationOptions: (mfaToken?: string) => post<PublicKeyCredentialRequestOptionsJSON>('mfa/webauthn/authenticate/options', { mfaToken }),
    challenge: (answer: ChallengeAnswer) => post<ChallengeResult>('mfa/challenge', answer),
    regenerateRecoveryCodes: () => post<{ codes: string[] }>('mfa/recovery-codes'),
    removeFactor: (id: string) => remove<{ removed: true }>(`mfa/factors/${encodeURIComponent(id)}`),
    sessions: () => $fetch<{ sessions: ActiveSession[] }>(`${base}/account/sessions`),
    revokeSession: (id: string) => remove<{ revoked: true }>(`account/sessions/${encodeURIComponent(id)}`),
    revokeOtherSessions: () => post<{ revoked: number }>('account/sessions/revoke-others'),
  }
}

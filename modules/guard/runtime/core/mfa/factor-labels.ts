import type { FactorId } from '../config/schema'

/**
 * How every page, message and the console name each second factor: one
 * list, so the API's refusals and the pages say the same words.
 *
 * @example
 * `${FACTOR_LABELS.webauthn} is switched off` // 'Passkey or security key is switched off'
 */
export const FACTOR_LABELS: Record<FactorId, string> = {
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
export const FACTOR_SHORT_LABELS: Record<FactorId, string> = {
  totp: 'App code',
  email_code: 'Email',
  webauthn: 'Passkey',
  recovery_code: 'Recovery code',
}

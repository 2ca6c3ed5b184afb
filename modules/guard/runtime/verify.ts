/**
 * `nuxt-guard/verify`: networkless verification of nuxt-guard session tokens
 * for any Node service — no Nuxt, h3 or Nitro is imported from here (a unit
 * test walks this file's imports to keep it so).
 *
 * @example
 * import { verifyGuardToken, TokenVerificationError } from 'nuxt-guard/verify'
 * const claims = await verifyGuardToken(token, { jwksUrl: 'https://app.example.com/api/_guard/jwks.json' })
 */
export { verifyGuardToken, TokenVerificationError, TokenVerificationErrorReason, type VerifyGuardTokenOptions } from './core/tokens/verify-guard-token'
export type { SessionClaims, GuardSessionClaims } from './core/policy/auth'

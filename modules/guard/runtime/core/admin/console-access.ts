import type { FactorId, GuardConfig } from '../config/schema'
import type { SessionClaims } from '../policy/auth'

/**
 * The role the console API demands of every caller.
 *
 * @example
 * user.roles.includes(ADMIN_ROLE)
 */
export const ADMIN_ROLE = 'admin'

/**
 * Where the console's pages are when the module's `console.path` is not set.
 *
 * @example
 * checkConfigSafety(policy, nowSeconds, DEFAULT_CONSOLE_PATH)
 */
export const DEFAULT_CONSOLE_PATH = '/admin'

/** Why the console refuses an admin's session on MFA grounds. */
export type ConsoleMfaDenial =
  | { error: 'mfa_enrollment_required' }
  /** `factorId`: the admin's first enrolled factor, the one to complete. */
  | { error: 'INVALID_CLAIMS'; factorId: FactorId }

/**
 * The console's MFA rule, for a caller who has the admin role: whenever MFA
 * is enforced (`mfa.enforce` not `'off'`) or the admin has enrolled a second
 * factor, the session must carry a met MFA verdict with a completed factor.
 * `undefined` = the console lets the admin in; otherwise what is missing:
 * enrollment (no factor yet) or the factor in this session.
 *
 * @example
 * consoleMfaDenial(config.mfa, { c: {}, v: false, e: ['totp'] }) // { error: 'INVALID_CLAIMS', factorId: 'totp' }
 * consoleMfaDenial({ ...config.mfa, enforce: 'off' }, undefined)  // undefined
 */
export function consoleMfaDenial(mfa: GuardConfig['mfa'], claim: SessionClaims['mfa']): ConsoleMfaDenial | undefined {
  const enrolled = claim?.e ?? []
  const mfaOn = mfa.enforce !== 'off' || enrolled.length > 0
  if (!mfaOn || (claim?.v && Object.keys(claim.c ?? {}).length)) return undefined
  return enrolled.length ? { error: 'INVALID_CLAIMS', factorId: enrolled[0]! } : { error: 'mfa_enrollment_required' }
}

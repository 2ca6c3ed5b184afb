import { FACTOR_IDS, type FactorId, type GuardConfig } from '../config/schema'
import { signedInAuth, signedOutAuth, type GuardAuth, type SessionClaims } from '../policy/auth'
import type { CompiledPolicy } from '../policy/compile'
import { checkMfaRequirements } from '../mfa/requirements'
import { orgTokenClaims } from '../organizations/claims'

/**
 * Factors a user can enroll on their own; recovery codes only come with one of these.
 *
 * @example
 * ENROLLABLE_FACTORS.filter(factor => config.mfa.strategies[factor]) // the strategies a user could set up
 */
export const ENROLLABLE_FACTORS: readonly FactorId[] = Object.freeze(['totp', 'email_code', 'webauthn'])

/** Who a simulated request is made by: `null` for anonymous. */
export interface SimulatedUser {
  userId: string
  roles: readonly string[]
  /** Second factors the user has enrolled (may be empty). */
  enrolled: readonly FactorId[]
  /** Whether the user's address is verified (the token's `email_verified`); absent = verified, as for the console's own checks. */
  emailVerified?: boolean
  /**
   * The session's active organization and the user's role in it (the token's
   * `org_*` claims, the role's permissions from the config's
   * `organizations.roles`); absent or null = none. Ignored while
   * organizations are switched off, as at mint time.
   */
  organization?: { id: string; slug: string; role: string } | null
}

/**
 * The factors a user could hold under `config`: every enrollable strategy that
 * is on, plus recovery codes when those are on and something enrollable is.
 *
 * @example
 * usableFactors(config) // ['totp', 'webauthn', 'recovery_code'] with the default strategies
 */
export function usableFactors(config: GuardConfig): FactorId[] {
  const { strategies } = config.mfa
  const enrollable = ENROLLABLE_FACTORS.filter(factor => strategies[factor])
  return enrollable.length && strategies.recovery_code ? [...enrollable, 'recovery_code'] : enrollable
}

/**
 * The auth object a simulated request carries, built exactly like the one a
 * real session token yields (`signedInAuth` with the policy's permissions).
 * With `mfaCompleted`, every enrolled factor that is switched on counts as
 * completed at `nowSeconds`; a user with no factor is then assumed to have
 * enrolled every usable one (the simulator answers "once they set up MFA").
 * The address counts as verified unless `user.emailVerified` is `false`.
 * `user.organization` gives the token's `org_id`, `org_slug`, `org_role`,
 * `org_permissions` as a mint would.
 *
 * @example
 * const auth = simulatedAuth(policy, { userId: 'user_1', roles: ['admin'], enrolled: ['totp'] }, true, 1_700_000_000)
 * auth.sessionClaims?.mfa // { c: { totp: 1700000000 }, v: true, e: ['totp'] } (v: the requirements are met)
 */
export function simulatedAuth(policy: CompiledPolicy, user: SimulatedUser | null, mfaCompleted: boolean, nowSeconds: number): GuardAuth {
  if (!user) return signedOutAuth
  const strategies = policy.config.mfa.strategies
  const known = user.enrolled.filter(factor => FACTOR_IDS.includes(factor))
  const enrolled = mfaCompleted && !known.length ? usableFactors(policy.config) : known
  const completed = mfaCompleted ? Object.fromEntries(enrolled.filter(factor => strategies[factor]).map(factor => [factor, nowSeconds])) : {}
  const claims: SessionClaims = {
    sub: user.userId,
    sid: 'sess_simulated',
    iss: 'nuxt-guard',
    iat: nowSeconds,
    exp: nowSeconds + policy.config.session.tokenTtlSeconds,
    roles: [...user.roles],
    email_verified: user.emailVerified ?? true,
    mfa: { c: completed, v: mfaCompleted && checkMfaRequirements(policy.config.mfa.requirements, completed, strategies).satisfied, e: [...enrolled] },
    ...orgTokenClaims(policy.config.organizations.enabled && user.organization ? { ...user.organization, publicMetadata: {} } : undefined, policy.config.organizations),
  }
  return signedInAuth(claims, policy.permissionsFor(claims.roles))
}

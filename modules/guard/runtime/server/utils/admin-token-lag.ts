import type { Guard } from '../../core/engine/create-guard'

/**
 * How long a change to a user (roles, factors) can take to reach requests:
 * tokens already issued carry the old claims until they expire and refresh,
 * at most one token lifetime plus the clock skew.
 *
 * @example
 * return { ...user, effectiveWithinSeconds: tokenLagSeconds(guard) } // 65 with the defaults
 */
export function tokenLagSeconds(guard: Guard): number {
  const { tokenTtlSeconds, clockSkewMs } = guard.live.policy.config.session
  return tokenTtlSeconds + Math.ceil(clockSkewMs / 1000)
}

import type { FactorId } from '../config/schema'
import type { Guard } from '../engine/create-guard'
import { lastSecondFactorAt } from '../mfa/requirements'
import { enrolledFactorTypes } from '../store/factors'
import { findLiveSession } from '../store/sessions'
import { AccountError } from './errors'

/**
 * How recent the second factor must be for changing the password or
 * deleting the account: completed within the last 10 minutes (600 s), the
 * step-up of a route rule `{ stepUp: { maxAgeSeconds: 600 } }`.
 */
export const RECENT_FACTOR_MAX_AGE_SECONDS = 600

/** Who asks, as `requireRecentSecondFactor` needs it. */
export interface RecentFactorInput {
  userId: string
  sessionId: string
  /**
   * The factors the caller's own session token says were completed
   * (`claims.mfa.c`, seconds): a token copied before the step-up never counts.
   */
  tokenFactors?: Readonly<Record<string, number | undefined>>
}

/**
 * Step-up for the account's most sensitive changes. Resolves to `true` when
 * the user has a usable second factor (enrolled, its strategy on; recovery
 * codes alone are not one) and this
 * session completed one within {@link RECENT_FACTOR_MAX_AGE_SECONDS}, as both
 * the caller's token and the live session row say; to `false` when the user
 * has no usable second factor (the caller then asks for the current
 * password instead). Otherwise throws 403 `mfa_required` shaped like a
 * route's step-up (Auth0's): a fresh `mfa_token` bound to this session,
 * `mfa_requirements: { challenge: [{ type }] }` and `maxAgeSeconds`; the page
 * sends the user to the challenge with them and back.
 *
 * @example
 * const hasFactor = await requireRecentSecondFactor(guard, { userId, sessionId, tokenFactors: auth.sessionClaims?.mfa?.c })
 * if (!hasFactor) await verifyCurrentPassword(guard, user, currentPassword, client)
 */
export async function requireRecentSecondFactor(guard: Guard, input: RecentFactorInput): Promise<boolean> {
  const { strategies } = guard.live.policy.config.mfa
  const usable = (await enrolledFactorTypes(guard.db, input.userId)).filter(factor => strategies[factor])
  // Only recovery codes left on (every real factor switched off: a stranded user) is no usable second factor.
  if (!usable.some(factor => factor !== 'recovery_code')) return false
  const session = await findLiveSession(guard.db, input.sessionId, guard.mfa.nowDate())
  // A factor counts when its strategy is on (switching one off applies at once) and the session row has it too.
  const counted = Object.fromEntries(Object.entries(input.tokenFactors ?? {})
    .filter(([factor, at]) => strategies[factor as FactorId] && typeof at === 'number' && typeof session?.factors[factor] === 'number'))
  const last = lastSecondFactorAt(counted)
  if (last !== undefined && guard.mfa.nowSeconds() - last <= RECENT_FACTOR_MAX_AGE_SECONDS) return true
  throw new AccountError('mfa_required', `Confirm it is you with your second factor (within the last ${RECENT_FACTOR_MAX_AGE_SECONDS / 60} minutes), then retry.`, {
    mfa_token: await guard.mfa.mintStepUpToken(input.sessionId),
    mfa_requirements: { challenge: usable.map(type => ({ type })) },
    maxAgeSeconds: RECENT_FACTOR_MAX_AGE_SECONDS,
  })
}

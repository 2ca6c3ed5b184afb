import { sha256 } from '../crypto/random'
import type { Guard } from '../engine/create-guard'
import { clearUserRateLimits } from '../store/rate-limits'
import { forgetAccountFailures } from '../store/sign-in-failures'
import { findUserById } from '../store/users'
import { PeopleError } from './errors'

/** What an unlock cleared: the account's sign-in failures and the user's rate-limit rows (their keys). */
export interface UnlockResult {
  /** Sign-in failures on the account (every client address), no longer counted. */
  signInFailures: number
  /** The rate-limit keys removed (e.g. `factor-client:<user>:<ip>`, `challenge:<session>`, `email-send:<user>`), blocks included. */
  rateLimits: string[]
}

/**
 * Lets a user in again after throttling, when an admin has checked it is
 * them: deletes the account's sign-in failures (the per-account and
 * per-address-on-this-account counts start over) and every rate-limit row
 * of the user — second-factor attempts per client, their sessions'
 * challenges, email-code sends, reset second-factor tries and reset requests
 * to their address — blocks included (unlike a success, which lets a block
 * run its course). 404 for an unknown user.
 *
 * @example
 * const { signInFailures, rateLimits } = await unlockUser(guard, userId)
 */
export async function unlockUser(guard: Guard, userId: string): Promise<UnlockResult> {
  const user = await findUserById(guard.db, userId)
  if (!user) throw new PeopleError('user_not_found', `There is no user ${userId}; pick one from the users list.`, { field: 'userId' })
  const signInFailures = await forgetAccountFailures(guard.db, guard.throttle.accountKey(user.email))
  const rateLimits = await clearUserRateLimits(guard.db, user.id, [`reset-request:address:${sha256(user.email.toLowerCase())}`])
  return { signInFailures, rateLimits }
}

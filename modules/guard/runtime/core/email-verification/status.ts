import type { Guard } from '../engine/create-guard'
import { findLiveEmailVerification } from '../store/email-verifications'
import type { UserRecord } from '../store/users'

/** The account's address as the verify page and the account page show it. */
export interface EmailStatus {
  email: string
  emailVerified: boolean
  /** `account.emailVerification`: `off`, `optional` or `required`. */
  emailVerification: 'off' | 'optional' | 'required'
  /** A change asked for and not yet confirmed: the new address and until when its code works. */
  pendingChange: { email: string; expiresAt: string } | null
}

/**
 * The signed-in user's address, whether it is verified, whether the site
 * requires it, and any pending change.
 *
 * @example
 * await emailStatus(guard, user) // { email: 'ada@example.com', emailVerified: false, emailVerification: 'required', pendingChange: null }
 */
export async function emailStatus(guard: Guard, user: UserRecord): Promise<EmailStatus> {
  const pending = await findLiveEmailVerification(guard.db, user.id, 'change', guard.mfa.nowDate())
  return {
    email: user.email,
    emailVerified: user.emailVerified,
    emailVerification: guard.live.policy.config.account.emailVerification,
    pendingChange: pending ? { email: pending.email, expiresAt: pending.expiresAt.toISOString() } : null,
  }
}

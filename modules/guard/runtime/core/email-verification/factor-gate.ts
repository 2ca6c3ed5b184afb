import type { MfaCore } from '../mfa/service'
import { findUserById } from '../store/users'
import { EmailVerificationError } from './errors'

/**
 * Whether a user may set up the email-code second factor: only for a
 * verified address, unless the site verifies no addresses
 * (`account.emailVerification: 'off'`, where the enrollment's own code is the
 * only proof there is).
 *
 * @example
 * emailCodeAllowed('optional', false) // false
 */
export function emailCodeAllowed(mode: 'off' | 'optional' | 'required', emailVerified: boolean): boolean {
  return mode === 'off' || emailVerified
}

/**
 * Refuses to set up email codes for an unverified address: 403
 * `email_verification_required` (verify the address first).
 *
 * @example
 * await assertEmailCodeAddressVerified(guard.mfa, userId)
 */
export async function assertEmailCodeAddressVerified(mfa: MfaCore, userId: string): Promise<void> {
  const user = await findUserById(mfa.db, userId)
  if (!emailCodeAllowed(mfa.deps.live.policy.config.account.emailVerification, user?.emailVerified ?? false)) {
    throw new EmailVerificationError('email_verification_required', 'Verify your email address before using it for sign-in codes.')
  }
}

import { verifyPassword } from '../crypto/password'
import type { Guard } from '../engine/create-guard'
import type { SignInClient } from '../engine/sign-in-throttle'
import type { UserRecord } from '../store/users'
import { AccountError } from './errors'

/**
 * Checks the signed-in user's current password through the sign-in path:
 * the same scrypt verification, and the same throttle (SignInThrottle), so a
 * stolen session cannot guess the password faster than sign-in could —
 * each wrong password is a failure on the account and on the client
 * address, and past the limits the attempt is refused unchecked (429
 * `too_many_attempts` with `retryAfterSeconds`). A wrong password is 422
 * `incorrect_password` naming `field: 'currentPassword'`.
 *
 * @example
 * await verifyCurrentPassword(guard, user, 'my current passphrase', { ip: '203.0.113.9', knownDevices })
 */
export async function verifyCurrentPassword(guard: Guard, user: UserRecord, password: string, client: SignInClient = {}): Promise<void> {
  await guard.throttle.attempt(user.email, client, async () => {
    if (!(await verifyPassword(password, user.passwordHash))) throw new AccountError('incorrect_password', undefined, { field: 'currentPassword' })
  }, error => error instanceof AccountError && error.code === 'incorrect_password')
}

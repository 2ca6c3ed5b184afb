import type { Guard } from '../engine/create-guard'
import { GuardError } from '../errors'

/**
 * Refuses a new password (sign-up, reset, change, invitation) that people
 * could guess. PLACEHOLDER while the strength check lands: lengths only.
 *
 * @example
 * await assertAcceptablePassword(guard, password, { email: 'ada@example.com' })
 */
export async function assertAcceptablePassword(_guard: Guard, password: string, _context: { email: string }): Promise<void> {
  if (password.length < 8) throw new GuardError('invalid_request', 'Use at least 8 characters.', { field: 'password' })
}

import { createHmac } from 'node:crypto'
import { randomToken } from '../crypto/random'

/**
 * A new invitation token: 256 random bits, base64url (43 characters). It
 * travels only in the emailed link; the store keeps its keyed hash.
 *
 * @example
 * const token = newInvitationToken() // 'Qm9o…'
 */
export function newInvitationToken(): string {
  return randomToken(32)
}

/**
 * The keyed hash an invitation is stored and found by: HMAC-SHA-256 with the
 * server's code pepper (`guard.mfa.pepper`), so a copy of the database alone
 * cannot turn rows back into working links.
 *
 * @example
 * const tokenHash = invitationTokenHash(token, guard.mfa.pepper)
 */
export function invitationTokenHash(token: string, pepper: Uint8Array): string {
  return createHmac('sha256', pepper).update(`invitation:${token}`).digest('base64url')
}

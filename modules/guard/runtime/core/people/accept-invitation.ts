import { hashPassword } from '../crypto/password'
import { newId } from '../crypto/random'
import type { Guard } from '../engine/create-guard'
import type { IssuedSession, RequestOrigin } from '../engine/sessions'
import { assertAcceptablePassword } from '../passwords/check'
import { writeAudit } from '../store/audit'
import { findLiveInvitation, revokeInvitation, spendInvitation, type InvitationRecord } from '../store/invitations'
import { hitRateLimit } from '../store/rate-limits'
import { findUserByEmail, insertUserWithRoles } from '../store/users'
import { PeopleError } from './errors'
import { invitationTokenHash } from './invitation-token'

/** Invitation look-ups (preview and accept) per client address, per 15 minutes. */
export const INVITATION_CLIENT_RULE = { limit: 30, windowSeconds: 900, blockSeconds: 900 }

/** What the acceptance page shows before the password is chosen. */
export interface InvitationPreview { email: string; expiresAt: Date }

/**
 * The live invitation behind a token, counting the look-up per client address
 * (429 past 30 per 15 minutes); 400 `invalid_invitation` — one answer for a
 * wrong, spent, revoked or expired token.
 */
async function liveInvitation(guard: Guard, token: string, ip: string | undefined): Promise<InvitationRecord> {
  const now = guard.mfa.nowDate()
  const hit = await hitRateLimit(guard.db, `invitation:client:${ip || 'unknown'}`, INVITATION_CLIENT_RULE, now)
  if (!hit.allowed) throw new PeopleError('too_many_attempts', undefined, { retryAfterSeconds: hit.retryAfterSeconds })
  const invitation = await findLiveInvitation(guard.db, invitationTokenHash(token, guard.mfa.pepper), now)
  if (!invitation) throw new PeopleError('invalid_invitation')
  return invitation
}

/**
 * The address an invitation is for and when it expires, for the acceptance
 * page; nothing is spent. 400 `invalid_invitation`, 429 `too_many_attempts`.
 *
 * @example
 * await previewInvitation(guard, token, ip) // { email: 'ada@example.com', expiresAt: Date }
 */
export async function previewInvitation(guard: Guard, token: string, ip?: string): Promise<InvitationPreview> {
  const invitation = await liveInvitation(guard, token, ip)
  return { email: invitation.email, expiresAt: invitation.expiresAt }
}

/**
 * Accepts an invitation: the password passes the strength check (422 field
 * `password`), then, in one transaction, the invitation is spent (atomic:
 * of two concurrent acceptances one wins, the other gets 400
 * `invalid_invitation`) and the account is created with the invitation's
 * roles and its address verified (the link reached the mailbox). An address
 * that got an account meanwhile is refused with 409 `email_taken` and the
 * invitation is revoked. Audited (`user.invitation_accepted`); resolves to a
 * new session of the new user (the caller sets the cookies).
 *
 * @example
 * const issued = await acceptInvitation(guard, { token, password: 'a long passphrase' }, { ip, userAgent })
 */
export async function acceptInvitation(guard: Guard, input: { token: string; password: string }, origin: RequestOrigin = {}): Promise<IssuedSession> {
  const invitation = await liveInvitation(guard, input.token, origin.ip)
  if (await findUserByEmail(guard.db, invitation.email)) {
    await revokeInvitation(guard.db, invitation.id, guard.mfa.nowDate())
    throw new PeopleError('email_taken', `${invitation.email} already has an account; sign in instead.`, { field: 'email' })
  }
  await assertAcceptablePassword(guard, input.password, { email: invitation.email })
  const passwordHash = await hashPassword(input.password)
  const userId = newId('user')
  const user = await guard.db.transaction(async (tx) => {
    const spent = await spendInvitation(tx, invitation.tokenHash, userId, guard.mfa.nowDate())
    if (!spent) throw new PeopleError('invalid_invitation')
    return insertUserWithRoles(tx, { id: userId, email: spent.email, passwordHash, roles: spent.roles, emailVerified: true })
  })
  await writeAudit(guard.db, {
    actorId: user.id, action: 'user.invitation_accepted', target: user.id, ip: origin.ip,
    before: { invitationId: invitation.id, email: invitation.email, invitedBy: invitation.invitedBy }, after: { email: user.email, roles: user.roles, emailVerified: true },
  })
  return guard.sessions.startSession(user, origin)
}

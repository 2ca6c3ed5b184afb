import { newId } from '../crypto/random'
import type { Guard } from '../engine/create-guard'
import { insertInvitation, revokeInvitation, type InvitationRecord } from '../store/invitations'
import { findUserByEmail } from '../store/users'
import { PeopleError } from './errors'
import { invitationTokenHash, newInvitationToken } from './invitation-token'
import { assertKnownRoles } from './roles'
import type { InviteInput } from './schema'

/** An invitation as the console shows it: never its token nor the token's hash. */
export type InvitationView = Omit<InvitationRecord, 'tokenHash'>

/** What inviting needs beyond the address and roles. */
export interface InviteOptions {
  /** The admin who invites (audit, the listing's "invited by"). */
  invitedBy: string
  /** The absolute URL of the acceptance page; the email links to it with `?token=…`. */
  acceptUrl: string
}

/**
 * An admin invites an address: refused with 409 `email_taken` when it already
 * has an account, 422 for roles the config does not know. A random token
 * (256 bits) is emailed as a link to `acceptUrl?token=…` through the guard's
 * mailer; only its keyed hash is stored. The invitation works once, until
 * `account.invitationTtlHours` (default 72) have passed, unless revoked; a
 * new invitation of the same address replaces the earlier live one
 * (`replaced`). When the email cannot be sent the invitation is revoked again
 * and 502 `invitation_not_sent` answers. The token is never returned: the
 * link reaching the mailbox is what proves the address.
 *
 * @example
 * const { invitation, replaced } = await inviteUser(guard, { email: 'ada@example.com', roles: ['member'] }, { invitedBy: admin.userId, acceptUrl: 'https://app.example/accept-invitation' })
 */
export async function inviteUser(guard: Guard, input: InviteInput, options: InviteOptions): Promise<{ invitation: InvitationView; replaced: number }> {
  assertKnownRoles(guard.live.policy, input.roles)
  if (await findUserByEmail(guard.db, input.email)) {
    throw new PeopleError('email_taken', `${input.email} already has an account; find it in the users list.`, { field: 'email' })
  }
  const token = newInvitationToken()
  const now = guard.mfa.nowDate()
  const expiresAt = new Date(now.getTime() + guard.live.policy.config.account.invitationTtlHours * 3_600_000)
  const { invitation, replaced } = await insertInvitation(guard.db, {
    id: newId('inv'), email: input.email, tokenHash: invitationTokenHash(token, guard.mfa.pepper), roles: input.roles, invitedBy: options.invitedBy, now, expiresAt,
  })
  try {
    await guard.mfa.deps.mailer.send(invitationMessage(invitation, `${options.acceptUrl}?token=${encodeURIComponent(token)}`))
  }
  catch (error) {
    await revokeInvitation(guard.db, invitation.id, guard.mfa.nowDate())
    throw new PeopleError('invitation_not_sent', undefined, {}, { cause: error, message: `the invitation email to ${invitation.email} could not be sent: ${String(error)}` })
  }
  const { tokenHash: _hash, ...view } = invitation
  return { invitation: view, replaced }
}

function invitationMessage(invitation: InvitationRecord, link: string) {
  const until = `${invitation.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  return {
    to: invitation.email,
    subject: 'You are invited',
    text: `You have been invited to create an account for ${invitation.email}.\n\nOpen this link to choose your password and sign in:\n${link}\n\nThe link works once, until ${until}. If you did not expect this invitation, ignore this email.`,
  }
}

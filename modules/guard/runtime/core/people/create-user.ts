import { hashPassword } from '../crypto/password'
import { newId } from '../crypto/random'
import type { Guard } from '../engine/create-guard'
import { assertAcceptablePassword } from '../passwords/check'
import { revokeInvitationsFor } from '../store/invitations'
import { insertUserWithRoles, type UserRecord } from '../store/users'
import { assertKnownRoles } from './roles'
import type { CreateUserInput } from './schema'

/**
 * An admin creates an account with a password they choose: the roles must be
 * known to the live config (422 `invalid_request`, field `roles`), the
 * password passes the strength check (`assertAcceptablePassword`, 422 field
 * `password`), the address is free (409 `email_taken`). The address is not
 * marked verified (nobody proved they read it). Pending invitations of the
 * address are revoked: the account exists now. Resolves to the new user and
 * how many invitations were revoked; the caller audits.
 *
 * @example
 * const { user } = await createUserByAdmin(guard, { email: 'ada@example.com', password: 'a long passphrase', roles: ['member'] })
 */
export async function createUserByAdmin(guard: Guard, input: CreateUserInput): Promise<{ user: UserRecord; revokedInvitations: number }> {
  assertKnownRoles(guard.live.policy, input.roles)
  await assertAcceptablePassword(guard, input.password, { email: input.email })
  const passwordHash = await hashPassword(input.password)
  const user = await guard.db.transaction(tx => insertUserWithRoles(tx, { id: newId('user'), email: input.email, passwordHash, roles: input.roles, emailVerified: false }))
  const revokedInvitations = await revokeInvitationsFor(guard.db, user.email, guard.mfa.nowDate())
  return { user, revokedInvitations }
}

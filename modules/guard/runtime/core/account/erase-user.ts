import { sha256 } from '../crypto/random'
import type { SqlExecutor } from '../store/db/database'
import { anonymiseAuditEmail, writeAudit } from '../store/audit'
import { forgetInvitationsOf } from '../store/invitations'
import { forgetOrgInvitationsOf } from '../store/org-invitations'
import { deleteOutboxMessagesTo } from '../store/outbox'
import { clearUserRateLimits } from '../store/rate-limits'
import { listActiveSessionIds } from '../store/sessions'
import { forgetAccountFailures } from '../store/sign-in-failures'
import { deleteUserRow } from '../store/user-status'
import type { UserRecord } from '../store/users'

/** What stands in the audit log for a deleted account's email address. */
export const DELETED_EMAIL_PLACEHOLDER = '[deleted user]'

/** How one table is treated when an account is deleted. */
export type TableErasure =
  /** The table's rows reference the user (or its sessions) with ON DELETE CASCADE: deleting the user row removes them. */
  | { kind: 'cascade'; via: string }
  /** The table's rows reference the user with ON DELETE SET NULL: they stay, without the reference. */
  | { kind: 'set-null'; via: string }
  /** The user's rows are deleted by a statement of its store file. */
  | { kind: 'deleted'; how: string }
  /** The rows stay, with the user's email address replaced. */
  | { kind: 'anonymised'; how: string }
  /** The column keeps the user's id on purpose; nothing else of the user is there. */
  | { kind: 'kept'; why: string }
  /** The table holds nothing of any user. */
  | { kind: 'none' }

/**
 * Every `guard_*` table of the migrations and what deleting an account does
 * to it. tests/unit/account-deletion.test.ts reads the tables from the
 * database and fails when one is missing here, so a new table cannot be
 * forgotten silently; it proves the cascades and that no row mentions the
 * deleted user afterwards (but the ids kept on purpose).
 */
export const ACCOUNT_ERASURE_PLAN: Readonly<Record<string, TableErasure>> = {
  guard_users: { kind: 'deleted', how: 'the row (deleteUserRow), after the users lock and the last-admin check' },
  guard_sessions: { kind: 'cascade', via: 'user_id' },
  guard_webauthn_challenges: { kind: 'cascade', via: 'session_id → guard_sessions' },
  guard_reenroll_proofs: { kind: 'cascade', via: 'user_id, session_id' },
  guard_factors: { kind: 'cascade', via: 'user_id' },
  guard_recovery_codes: { kind: 'cascade', via: 'user_id' },
  guard_email_codes: { kind: 'cascade', via: 'user_id' },
  guard_remembered_devices: { kind: 'cascade', via: 'user_id' },
  guard_password_resets: { kind: 'cascade', via: 'user_id' },
  guard_email_verifications: { kind: 'cascade', via: 'user_id' },
  guard_rate_limits: { kind: 'deleted', how: 'keys naming the user id or one of its sessions, and the address\'s reset-request key (clearUserRateLimits)' },
  guard_sign_in_failures: { kind: 'deleted', how: 'the failures on the account key, a hash of the address (forgetAccountFailures)' },
  guard_outbox: { kind: 'deleted', how: 'mail to the address (deleteOutboxMessagesTo); the goodbye message is sent after' },
  guard_invitations: { kind: 'deleted', how: 'invitations of the address or accepted by the user; invited_by cleared on those it sent (forgetInvitationsOf)' },
  guard_organizations: { kind: 'set-null', via: 'created_by' },
  guard_org_memberships: { kind: 'cascade', via: 'user_id' },
  guard_org_invitations: { kind: 'deleted', how: 'invitations of the address or accepted by the user; invited_by cleared on those it sent (forgetOrgInvitationsOf)' },
  guard_audit: { kind: 'anonymised', how: `the address replaced by "${DELETED_EMAIL_PLACEHOLDER}" in before/after/target (anonymiseAuditEmail); ids, actions, times and IPs stay, and the deletion itself is recorded` },
  guard_config_versions: { kind: 'kept', why: 'created_by: who saved a config version stays in its history, by id' },
  guard_signing_keys: { kind: 'none' },
  guard_migrations: { kind: 'none' },
}

/** Who deletes, for the audit entry. */
export interface ErasureActor {
  /** The user themself, or the admin; null for the system. */
  actorId: string | null
  by: 'self' | 'admin'
  ip?: string | null
  /** The sign-in throttle's key of the address (`guard.throttle.accountKey(email)`). */
  accountKey: string
  now: Date
}

/**
 * Deletes or anonymises, table by table ({@link ACCOUNT_ERASURE_PLAN}),
 * everything of a user whose row `lockUserForDeletion` locked in this
 * transaction, then records `user.deleted` in the audit log (`after: { by,
 * revokedSessions }`, no address). Resolves to the ids of the sessions that
 * were live, for the caller to revoke on every instance once it commits.
 *
 * @example
 * const { liveSessionIds } = await eraseUserRows(tx, user, { actorId: user.id, by: 'self', ip, accountKey, now })
 */
export async function eraseUserRows(tx: SqlExecutor, user: UserRecord, actor: ErasureActor): Promise<{ liveSessionIds: string[] }> {
  // Read before the cascade; the locked user row keeps new sessions out until the commit.
  const liveSessionIds = await listActiveSessionIds(tx, user.id, actor.now)
  // Keys of the user's sessions are found through guard_sessions: before the row (and its cascade) goes.
  await clearUserRateLimits(tx, user.id, [`reset-request:address:${sha256(user.email.toLowerCase())}`])
  await forgetAccountFailures(tx, actor.accountKey)
  await deleteOutboxMessagesTo(tx, user.email)
  await forgetInvitationsOf(tx, user.id, user.email)
  await forgetOrgInvitationsOf(tx, user.id, user.email)
  await anonymiseAuditEmail(tx, user.email, DELETED_EMAIL_PLACEHOLDER)
  await deleteUserRow(tx, user.id)
  await writeAudit(tx, { actorId: actor.actorId, action: 'user.deleted', target: user.id, after: { by: actor.by, revokedSessions: liveSessionIds.length }, ip: actor.ip ?? null })
  return { liveSessionIds }
}

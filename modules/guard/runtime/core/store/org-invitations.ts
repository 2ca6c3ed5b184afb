import type { SqlExecutor } from './db/database'

/** Where an invitation stands: usable, used, withdrawn, or past its time. */
export type OrgInvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired'

/** An invitation to join an organization, sent to one address (its token only as a keyed hash). */
export interface OrgInvitationRecord {
  id: string
  orgId: string
  email: string
  role: string
  invitedBy: string | null
  createdAt: Date
  expiresAt: Date
  acceptedAt: Date | null
  acceptedUserId: string | null
  revokedAt: Date | null
}

const COLUMNS = 'id, org_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_user_id, revoked_at'
const dateOrNull = (value: unknown) => (value ? new Date(value as string) : null)
const toInvitation = (row: any): OrgInvitationRecord => ({
  id: row.id, orgId: row.org_id, email: row.email, role: row.role, invitedBy: row.invited_by ?? null,
  createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at),
  acceptedAt: dateOrNull(row.accepted_at), acceptedUserId: row.accepted_user_id ?? null, revokedAt: dateOrNull(row.revoked_at),
})

/**
 * Where an invitation stands at `now`.
 *
 * @example
 * orgInvitationStatus(invitation, new Date()) // 'pending'
 */
export function orgInvitationStatus(invitation: OrgInvitationRecord, now: Date): OrgInvitationStatus {
  if (invitation.acceptedAt) return 'accepted'
  if (invitation.revokedAt) return 'revoked'
  return invitation.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending'
}

/**
 * Stores an invitation and, in the same statement, revokes the organization's
 * earlier pending invitations to the same address (case-insensitively): only
 * the newest link works. Returns the record.
 *
 * @example
 * await insertOrgInvitation(db, { id, orgId, email: 'ada@example.com', role: 'org:member', tokenHash, invitedBy: userId, now, expiresAt })
 */
export async function insertOrgInvitation(db: SqlExecutor, input: {
  id: string; orgId: string; email: string; role: string; tokenHash: string; invitedBy: string; now: Date; expiresAt: Date
}): Promise<OrgInvitationRecord> {
  const [row] = await db.query<any>(
    `with earlier as (
       update guard_org_invitations set revoked_at = $7
        where org_id = $2 and lower(email) = lower($3) and accepted_at is null and revoked_at is null
     )
     insert into guard_org_invitations (id, org_id, email, role, token_hash, invited_by, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     returning ${COLUMNS}`,
    [input.id, input.orgId, input.email, input.role, input.tokenHash, input.invitedBy, input.now.toISOString(), input.expiresAt.toISOString()],
  )
  return toInvitation(row)
}

/**
 * The invitation a token's hash belongs to, in whatever state.
 *
 * @example
 * const invitation = await findOrgInvitationByTokenHash(db, hashOrgInvitationToken(token, pepper))
 */
export async function findOrgInvitationByTokenHash(db: SqlExecutor, tokenHash: string): Promise<OrgInvitationRecord | undefined> {
  const [row] = await db.query<any>(`select ${COLUMNS} from guard_org_invitations where token_hash = $1`, [tokenHash])
  return row && toInvitation(row)
}

/**
 * Spends a pending invitation for the user who accepts it: `true` once;
 * `false` when it was already accepted (a concurrent request won), revoked or
 * expired at `now`.
 *
 * @example
 * if (!(await acceptOrgInvitation(tx, invitation.id, userId, new Date()))) throw invalidInvitation()
 */
export async function acceptOrgInvitation(db: SqlExecutor, id: string, userId: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    `update guard_org_invitations set accepted_at = $3, accepted_user_id = $2
      where id = $1 and accepted_at is null and revoked_at is null and expires_at > $3 returning id`,
    [id, userId, now.toISOString()],
  )
  return rows.length > 0
}

/**
 * Withdraws a pending invitation of an organization; the record, or
 * `undefined` when the organization has no such pending invitation.
 *
 * @example
 * const revoked = await revokeOrgInvitation(db, orgId, invitationId, new Date())
 */
export async function revokeOrgInvitation(db: SqlExecutor, orgId: string, id: string, now: Date): Promise<OrgInvitationRecord | undefined> {
  const [row] = await db.query<any>(
    `update guard_org_invitations set revoked_at = $3
      where org_id = $1 and id = $2 and accepted_at is null and revoked_at is null and expires_at > $3
      returning ${COLUMNS}`,
    [orgId, id, now.toISOString()],
  )
  return row && toInvitation(row)
}

/**
 * An organization's invitations, newest first (at most `limit`).
 *
 * @example
 * const invitations = await listOrgInvitations(db, orgId, { limit: 100 })
 */
export async function listOrgInvitations(db: SqlExecutor, orgId: string, { limit }: { limit: number }): Promise<OrgInvitationRecord[]> {
  const rows = await db.query<any>(`select ${COLUMNS} from guard_org_invitations where org_id = $1 order by created_at desc, id limit $2`, [orgId, limit])
  return rows.map(toInvitation)
}

/**
 * A deleted account's organization invitations: deletes those to its
 * address (compared case-insensitively) and the ones it accepted, and
 * clears `invited_by` on those it sent (they stay valid: they are the
 * organization's). Returns how many rows were deleted and cleared.
 *
 * @example
 * await forgetOrgInvitationsOf(tx, userId, 'ada@example.com')
 */
export async function forgetOrgInvitationsOf(db: SqlExecutor, userId: string, email: string): Promise<{ deleted: number; cleared: number }> {
  const deleted = (await db.query('delete from guard_org_invitations where lower(email) = lower($2) or accepted_user_id = $1 returning 1', [userId, email])).length
  const cleared = (await db.query('update guard_org_invitations set invited_by = null where invited_by = $1 returning 1', [userId])).length
  return { deleted, cleared }
}

/**
 * Deletes organization invitations that ended (accepted, revoked or expired)
 * before `before`; resolves to how many went.
 *
 * @example
 * await pruneOrgInvitations(db, new Date(Date.now() - 30 * 86_400_000))
 */
export async function pruneOrgInvitations(db: SqlExecutor, before: Date): Promise<number> {
  return (await db.query(
    'delete from guard_org_invitations where coalesce(accepted_at, revoked_at, expires_at) <= $1 or expires_at <= $1 returning 1',
    [before.toISOString()],
  )).length
}

import type { SqlExecutor } from './db/database'

/** One row of `guard_invitations`: an admin's invitation of an address (the token only as its keyed hash). */
export interface InvitationRecord {
  id: string
  email: string
  tokenHash: string
  /** Roles the account gets when the invitation is accepted. */
  roles: string[]
  /** The admin who invited (null when that admin was deleted). */
  invitedBy: string | null
  createdAt: Date
  expiresAt: Date
  acceptedAt: Date | null
  acceptedUserId: string | null
  revokedAt: Date | null
}

/** A live invitation as the console lists it, with the inviter's email. */
export interface PendingInvitation extends Omit<InvitationRecord, 'tokenHash'> { invitedByEmail: string | null }

const COLUMNS = 'id, email, token_hash, roles, invited_by, created_at, expires_at, accepted_at, accepted_user_id, revoked_at'
/** SQL: the row can still be accepted at `$n` (not spent, not revoked, not expired). */
const LIVE = (at: string) => `accepted_at is null and revoked_at is null and expires_at > ${at}`

const date = (value: string | Date | null) => (value ? new Date(value) : null)
function toInvitation(row: any): InvitationRecord {
  return {
    id: row.id, email: row.email, tokenHash: row.token_hash, roles: row.roles ?? [], invitedBy: row.invited_by ?? null,
    createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at),
    acceptedAt: date(row.accepted_at), acceptedUserId: row.accepted_user_id ?? null, revokedAt: date(row.revoked_at),
  }
}

/**
 * Stores a new invitation and, in the same statement, revokes every live
 * invitation of the same address (compared case-insensitively): re-inviting
 * replaces the earlier link. Resolves to the new row and how many it replaced.
 *
 * @example
 * const { invitation, replaced } = await insertInvitation(db, { id, email, tokenHash, roles: ['member'], invitedBy: adminId, now, expiresAt })
 */
export async function insertInvitation(db: SqlExecutor, input: {
  id: string; email: string; tokenHash: string; roles: string[]; invitedBy: string | null; now: Date; expiresAt: Date
}): Promise<{ invitation: InvitationRecord; replaced: number }> {
  const [row] = await db.query<any>(
    `with gone as (
       update guard_invitations set revoked_at = $6 where lower(email) = lower($2) and ${LIVE('$6')} returning id
     )
     insert into guard_invitations (id, email, token_hash, roles, invited_by, created_at, expires_at)
     values ($1, $2, $3, $4::jsonb, $5, $6, $7)
     returning ${COLUMNS}, (select count(*)::int from gone) as replaced`,
    [input.id, input.email, input.tokenHash, JSON.stringify(input.roles), input.invitedBy, input.now.toISOString(), input.expiresAt.toISOString()],
  )
  return { invitation: toInvitation(row), replaced: Number(row.replaced ?? 0) }
}

/**
 * The invitation whose token has this keyed hash, if it can still be accepted at `now`.
 *
 * @example
 * const invitation = await findLiveInvitation(db, invitationTokenHash(token, pepper), new Date())
 */
export async function findLiveInvitation(db: SqlExecutor, tokenHash: string, now: Date): Promise<InvitationRecord | undefined> {
  const [row] = await db.query<any>(`select ${COLUMNS} from guard_invitations where token_hash = $1 and ${LIVE('$2')}`, [tokenHash, now.toISOString()])
  return row && toInvitation(row)
}

/**
 * Spends a live invitation for the user it creates, atomically (one
 * `update … where` live `… returning`): of two concurrent acceptances, one
 * gets the row and the other `undefined`, as does a spent, revoked or
 * expired invitation. Run it in the transaction that inserts the user.
 *
 * @example
 * const spent = await spendInvitation(tx, tokenHash, userId, new Date())
 */
export async function spendInvitation(db: SqlExecutor, tokenHash: string, userId: string, now: Date): Promise<InvitationRecord | undefined> {
  const [row] = await db.query<any>(
    `update guard_invitations set accepted_at = $3, accepted_user_id = $2 where token_hash = $1 and ${LIVE('$3')} returning ${COLUMNS}`,
    [tokenHash, userId, now.toISOString()],
  )
  return row && toInvitation(row)
}

/**
 * Revokes one live invitation; resolves to it, or `undefined` when there is
 * no such invitation or it was already accepted, revoked or expired.
 *
 * @example
 * const revoked = await revokeInvitation(db, 'inv_…', new Date())
 */
export async function revokeInvitation(db: SqlExecutor, id: string, now: Date): Promise<InvitationRecord | undefined> {
  const [row] = await db.query<any>(`update guard_invitations set revoked_at = $2 where id = $1 and ${LIVE('$2')} returning ${COLUMNS}`, [id, now.toISOString()])
  return row && toInvitation(row)
}

/**
 * Revokes every live invitation of an address (an account was created for it
 * another way); resolves to how many.
 *
 * @example
 * await revokeInvitationsFor(db, 'ada@example.com', new Date())
 */
export async function revokeInvitationsFor(db: SqlExecutor, email: string, now: Date): Promise<number> {
  return (await db.query(`update guard_invitations set revoked_at = $2 where lower(email) = lower($1) and ${LIVE('$2')} returning id`, [email, now.toISOString()])).length
}

/**
 * The invitations that can still be accepted at `now`, newest first, with the inviter's email.
 *
 * @example
 * const pending = await listPendingInvitations(db, new Date())
 */
export async function listPendingInvitations(db: SqlExecutor, now: Date, limit = 200): Promise<PendingInvitation[]> {
  const rows = await db.query<any>(
    `select i.id, i.email, i.token_hash, i.roles, i.invited_by, i.created_at, i.expires_at, i.accepted_at, i.accepted_user_id, i.revoked_at,
            u.email as invited_by_email
       from guard_invitations i left join guard_users u on u.id = i.invited_by
      where i.accepted_at is null and i.revoked_at is null and i.expires_at > $1
      order by i.created_at desc, i.id
      limit $2`,
    [now.toISOString(), limit],
  )
  return rows.map((row) => {
    const { tokenHash: _hash, ...invitation } = toInvitation(row)
    return { ...invitation, invitedByEmail: row.invited_by_email ?? null }
  })
}

/**
 * Deletes invitations that ended (accepted, revoked or expired) before `before`; resolves to how many went.
 *
 * @example
 * await pruneInvitations(db, new Date(Date.now() - 30 * 86_400_000))
 */
export async function pruneInvitations(db: SqlExecutor, before: Date): Promise<number> {
  return (await db.query(
    'delete from guard_invitations where coalesce(accepted_at, revoked_at, expires_at) <= $1 or expires_at <= $1 returning 1',
    [before.toISOString()],
  )).length
}

/**
 * A deleted account's invitations: deletes those of its address (compared
 * case-insensitively) and the one it accepted, and clears `invited_by` on
 * the invitations it sent (they stay valid: they are the site's, not the
 * inviter's). Returns how many rows were deleted and cleared.
 *
 * @example
 * await forgetInvitationsOf(tx, userId, 'ada@example.com')
 */
export async function forgetInvitationsOf(db: SqlExecutor, userId: string, email: string): Promise<{ deleted: number; cleared: number }> {
  const deleted = (await db.query('delete from guard_invitations where lower(email) = lower($2) or accepted_user_id = $1 returning 1', [userId, email])).length
  const cleared = (await db.query('update guard_invitations set invited_by = null where invited_by = $1 returning 1', [userId])).length
  return { deleted, cleared }
}

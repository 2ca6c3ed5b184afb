import type { FactorId } from '../config/schema'
import type { SqlExecutor } from './db/database'

/** A session's proof that it is its user, made with a switched-off factor: good for setting up an allowed factor only. */
export interface ReenrollProof { sessionId: string; userId: string; factor: FactorId; provedAt: Date; expiresAt: Date }

/**
 * Records (or replaces) the proof of one session; expired proofs of any
 * session are dropped on the way (they are few and short-lived).
 *
 * @example
 * await saveReenrollProof(db, { sessionId, userId, factor: 'email_code', provedAt: now, expiresAt: new Date(now.getTime() + 900_000) })
 */
export async function saveReenrollProof(db: SqlExecutor, proof: ReenrollProof): Promise<void> {
  await db.query('delete from guard_reenroll_proofs where expires_at <= $1', [proof.provedAt.toISOString()])
  await db.query(
    `insert into guard_reenroll_proofs (session_id, user_id, factor, proved_at, expires_at) values ($1, $2, $3, $4, $5)
     on conflict (session_id) do update set user_id = excluded.user_id, factor = excluded.factor, proved_at = excluded.proved_at, expires_at = excluded.expires_at`,
    [proof.sessionId, proof.userId, proof.factor, proof.provedAt.toISOString(), proof.expiresAt.toISOString()],
  )
}

/**
 * The live proof of a session for its user, or `undefined` (none, expired,
 * or the session is revoked or expired).
 *
 * @example
 * const proof = await findReenrollProof(db, sessionId, userId, new Date())
 */
export async function findReenrollProof(db: SqlExecutor, sessionId: string, userId: string, now: Date): Promise<ReenrollProof | undefined> {
  const [row] = await db.query<{ session_id: string; user_id: string; factor: FactorId; proved_at: string | Date; expires_at: string | Date }>(
    `select p.session_id, p.user_id, p.factor, p.proved_at, p.expires_at from guard_reenroll_proofs p
       join guard_sessions s on s.id = p.session_id and s.revoked_at is null and s.expires_at > $3
      where p.session_id = $1 and p.user_id = $2 and p.expires_at > $3`,
    [sessionId, userId, now.toISOString()],
  )
  return row && { sessionId: row.session_id, userId: row.user_id, factor: row.factor, provedAt: new Date(row.proved_at), expiresAt: new Date(row.expires_at) }
}

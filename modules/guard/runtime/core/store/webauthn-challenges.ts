import type { SqlExecutor } from './db/database'

export type WebauthnCeremony = 'register' | 'authenticate'

/**
 * Stores the challenge just issued to a session for one ceremony (replacing
 * an earlier one).
 *
 * @example
 * await saveWebauthnChallenge(db, sessionId, 'register', challenge, new Date(Date.now() + 300_000))
 */
export async function saveWebauthnChallenge(db: SqlExecutor, sessionId: string, ceremony: WebauthnCeremony, challenge: string, expiresAt: Date): Promise<void> {
  await db.query(
    `insert into guard_webauthn_challenges (session_id, ceremony, challenge, expires_at) values ($1, $2, $3, $4)
     on conflict (session_id, ceremony) do update set challenge = excluded.challenge, expires_at = excluded.expires_at`,
    [sessionId, ceremony, challenge, expiresAt.toISOString()],
  )
}

/**
 * Takes (deletes and returns) a session's live challenge for a ceremony:
 * each challenge answers one verify call, whatever its outcome.
 *
 * @example
 * const expected = await takeWebauthnChallenge(db, sessionId, 'authenticate', new Date())
 */
export async function takeWebauthnChallenge(db: SqlExecutor, sessionId: string, ceremony: WebauthnCeremony, now: Date): Promise<string | undefined> {
  const [row] = await db.query<{ challenge: string; expires_at: string | Date }>(
    'delete from guard_webauthn_challenges where session_id = $1 and ceremony = $2 returning challenge, expires_at', [sessionId, ceremony],
  )
  return row && new Date(row.expires_at) > now ? row.challenge : undefined
}

/**
 * Deletes expired challenges; returns how many went.
 *
 * @example
 * await pruneWebauthnChallenges(db, new Date())
 */
export async function pruneWebauthnChallenges(db: SqlExecutor, now: Date): Promise<number> {
  return (await db.query('delete from guard_webauthn_challenges where expires_at <= $1 returning 1', [now.toISOString()])).length
}

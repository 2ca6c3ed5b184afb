import { lastSecondFactorAt } from './requirements'
import { MfaTokenInvalidError, MfaTokenNotFoundError } from './step-up-errors'
import type { SqlExecutor } from '../store/db/database'
import { sessionStates } from '../store/sessions'
import { ANOTHER_SESSION, openMfaToken, type MfaTokenClaims } from '../tokens/mfa-token'

/**
 * Opens a step-up `mfa_token` presented by session `sessionId`:
 * - 401 `mfa_token_expired` past its TTL; 401 `mfa_token_invalid` when altered,
 *   not ours, or issued to another session that is still live — or to any
 *   session of another user (whether it ended is not told across accounts);
 * - 404 `mfa_token_not_found` when the token is sound but its context is gone:
 *   its session (one of the caller's own) has ended, or a second factor was
 *   completed in its session after it was issued — the step-up it asked for
 *   is done (it was used), so it cannot be spent again.
 * One read of the sessions involved.
 *
 * @example
 * const claims = await openStepUpToken(db, key, body.mfaToken, { sessionId, nowSeconds })
 */
export async function openStepUpToken(db: SqlExecutor, key: Uint8Array, token: string, { sessionId, nowSeconds }: { sessionId: string; nowSeconds: number }): Promise<MfaTokenClaims> {
  const claims = await openMfaToken(key, token, nowSeconds)
  const states = await sessionStates(db, claims.sid === sessionId ? [sessionId] : [claims.sid, sessionId], new Date(nowSeconds * 1000))
  const issuedTo = states.find(state => state.id === claims.sid)
  if (claims.sid !== sessionId) {
    const caller = states.find(state => state.id === sessionId)
    if (issuedTo && caller && issuedTo.userId === caller.userId && !issuedTo.live) throw new MfaTokenNotFoundError('This mfa_token was issued to a session that has ended; retry the original request to get a new one.')
    throw new MfaTokenInvalidError(ANOTHER_SESSION)
  }
  if (!issuedTo?.live) throw new MfaTokenNotFoundError('This mfa_token\'s session has ended; sign in again, then retry the original request.')
  const last = lastSecondFactorAt(issuedTo.factors)
  if (last !== undefined && last >= claims.iat) throw new MfaTokenNotFoundError('This mfa_token was already used: its step-up is done; retry the original request.')
  return claims
}

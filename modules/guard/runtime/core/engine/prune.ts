import type { SqlExecutor } from '../store/db/database'
import { pruneEmailCodes } from '../store/email-codes'
import { pruneEmailVerifications } from '../store/email-verifications'
import { pruneInvitations } from '../store/invitations'
import { pruneOrgInvitations } from '../store/org-invitations'
import { prunePasswordResets } from '../store/password-resets'
import { pruneRateLimits } from '../store/rate-limits'
import { pruneRememberedDevices } from '../store/remembered-devices'
import { pruneSignInFailures } from '../store/sign-in-failures'
import { pruneWebauthnChallenges } from '../store/webauthn-challenges'

/** How long an ended invitation (accepted, revoked, expired) stays listable: 30 days, in milliseconds. */
export const ENDED_INVITATION_RETENTION_MS = 30 * 86_400_000

/**
 * Deletes what can no longer matter, each table by its own prune, one
 * statement after another: rate-limit rows whose window and block are over,
 * sign-in failures older than an hour, spent or expired email codes, reset
 * codes, address-verification codes and WebAuthn challenges, expired or
 * revoked remembered devices, and invitations (to the site and to
 * organizations) that ended more than 30 days ago. Resolves to how many rows
 * went.
 *
 * @example
 * await pruneExpiredRows(db, new Date()) // 12
 */
export async function pruneExpiredRows(db: SqlExecutor, now: Date): Promise<number> {
  const endedBefore = new Date(now.getTime() - ENDED_INVITATION_RETENTION_MS)
  let removed = 0
  for (const prune of [pruneRateLimits, pruneSignInFailures, pruneEmailCodes, pruneWebauthnChallenges, pruneRememberedDevices, prunePasswordResets, pruneEmailVerifications]) removed += await prune(db, now)
  removed += await pruneInvitations(db, endedBefore)
  removed += await pruneOrgInvitations(db, endedBefore)
  return removed
}

import type { ConfigIssue } from '../config/validate'
import type { SqlExecutor } from '../store/db/database'
import { findUserById } from '../store/users'

/**
 * The save's own lock-out check for email verification: an admin whose own
 * address is not verified may not save a document that requires verified
 * addresses (`account.emailVerification: 'required'`) — from the next
 * request they would be sent to the verify page themselves, and with the
 * default outbox transport (no SMTP) its code is only readable in the very
 * console they would be shut out of. Returns the issue naming the field, or
 * `undefined` (the document is judged before validation: only the exact
 * value `'required'` can pass it).
 *
 * @example
 * const issue = await verificationSelfLockOut(guard.db, admin.userId, body.document)
 * // { path: 'account.emailVerification', message: 'your own address ada@example.com is not verified …' }
 */
export async function verificationSelfLockOut(db: SqlExecutor, actorId: string, document: unknown): Promise<ConfigIssue | undefined> {
  const account = (document as { account?: { emailVerification?: unknown } } | null)?.account
  if (account?.emailVerification !== 'required') return undefined
  const actor = await findUserById(db, actorId)
  if (!actor || actor.emailVerified) return undefined
  return {
    path: 'account.emailVerification',
    message: `your own address ${actor.email} is not verified: with "required" you would be sent to the verify page yourself, and without SMTP its code is only readable in this console. Verify your address first (account page), then save again.`,
  }
}

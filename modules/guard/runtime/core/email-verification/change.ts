import { relabelFactors } from '../store/factors'
import { deletePasswordResets } from '../store/password-resets'
import { maskEmail } from '../mfa/email-code/code'
import { verifyCurrentPassword } from '../account/current-password'
import { requireRecentSecondFactor } from '../account/recent-factor'
import type { Guard } from '../engine/create-guard'
import type { SignInClient } from '../engine/sign-in-throttle'
import { writeAudit } from '../store/audit'
import { applyEmailVerification } from '../store/email-verifications'
import { hitRateLimit, type RateLimitRule } from '../store/rate-limits'
import { findUserByEmail, type UserRecord } from '../store/users'
import { EMAIL_VERIFICATION_TTL_SECONDS, issueEmailCode, matchEmailCode } from './codes'
import { EmailVerificationError } from './errors'
import { changeCodeMessage, changedNoticeMessage } from './messages'

/** Change requests per user, per 15 minutes (each may test a password or an address). */
export const CHANGE_REQUEST_RULE: RateLimitRule = { limit: 5, windowSeconds: 900, blockSeconds: 900 }

/** What asks for a change: who (with their session and its token's completed factors), the new address and the proof. */
export interface EmailChangeRequest {
  user: UserRecord
  sessionId: string
  /** `claims.mfa.c` of the caller's own token: a copied token from before a step-up never counts. */
  tokenFactors?: Readonly<Record<string, number | undefined>>
  newEmail: string
  /** Needed when the user has no usable second factor. */
  currentPassword?: string
  /** The client address and known-device tokens, for the sign-in throttle the password check goes through. */
  client?: SignInClient
  /** The absolute URL of the page the code is typed on (the email links to it). */
  pageUrl?: string
}

/**
 * Asks to move the account to a new address; nothing changes until the code
 * sent to the NEW address is confirmed (confirmEmailChange). In order: 5
 * requests per user per 15 minutes (429); the new address must differ (422
 * `invalid_request`, field `email`); re-authentication — a second factor
 * completed in this session within 10 minutes when the user has a usable
 * one (else 403 `mfa_required` with `mfa_token`), otherwise the current
 * password (422 `invalid_request` naming `currentPassword` when missing, 422
 * `incorrect_password` when wrong, counted by the sign-in throttle); only
 * then is an address another account holds refused: 409 `email_taken` (what
 * sign-up already answers anyone, here behind the account's own proof and the
 * rate limit). Audited `user.email_change_requested`; the email goes out
 * after the answer (`delivery`).
 *
 * @example
 * const { answer, delivery } = await requestEmailChange(guard, { user, sessionId, newEmail: 'ada@new.example', currentPassword: '…' })
 * // answer: { sentTo: 'ada@new.example', expiresInSeconds: 1800 }
 */
export async function requestEmailChange(guard: Guard, input: EmailChangeRequest): Promise<{ answer: { sentTo: string; expiresInSeconds: number }; delivery: Promise<void> }> {
  const { user } = input
  const hit = await hitRateLimit(guard.db, `email-change-request:${user.id}`, CHANGE_REQUEST_RULE, guard.mfa.nowDate())
  if (!hit.allowed) {
    throw new EmailVerificationError('too_many_attempts', `Too many address changes asked; try again in ${Math.ceil(hit.retryAfterSeconds / 60)} minutes.`, { retryAfterSeconds: hit.retryAfterSeconds })
  }
  if (input.newEmail.toLowerCase() === user.email.toLowerCase()) {
    throw new EmailVerificationError('invalid_request', 'email: that is already your address', { field: 'email', fields: { email: 'that is already your address' } })
  }
  const hasFactor = await requireRecentSecondFactor(guard, { userId: user.id, sessionId: input.sessionId, tokenFactors: input.tokenFactors })
  if (!hasFactor) {
    if (!input.currentPassword) throw new EmailVerificationError('invalid_request', 'currentPassword: enter your current password', { field: 'currentPassword', fields: { currentPassword: 'enter your current password' } })
    await verifyCurrentPassword(guard, user, input.currentPassword, input.client)
  }
  const holder = await findUserByEmail(guard.db, input.newEmail)
  if (holder && holder.id !== user.id) throw new EmailVerificationError('email_taken', 'Another account already uses that address; choose another.', { field: 'email' })
  const { code } = await issueEmailCode(guard, { userId: user.id, email: input.newEmail, purpose: 'change' })
  await writeAudit(guard.db, { actorId: user.id, action: 'user.email_change_requested', target: user.id, before: { email: user.email }, after: { email: input.newEmail }, ip: input.client?.ip })
  const delivery = guard.mfa.deps.mailer.send(changeCodeMessage(input.newEmail, user.email, code, input.pageUrl))
  return { answer: { sentTo: input.newEmail, expiresInSeconds: EMAIL_VERIFICATION_TTL_SECONDS }, delivery }
}

/**
 * Makes the change with the code sent to the new address: the account's
 * address becomes it, verified (`email_verified: true`), in one transaction
 * with spending the code; every other unused code of the user stops working;
 * every session carries the new claims from its next request
 * (guard.claimsChanged); audited `user.email_changed`; the OLD address is
 * told (`delivery`, after the answer). 400 `invalid_verification_code` for a
 * wrong, spent, expired or another account's code; 409 `email_taken` when
 * another account took the address meanwhile (nothing changes).
 *
 * @example
 * const { user: updated, previousEmail, delivery } = await confirmEmailChange(guard, { user, code: 'K7Q2M-9XHTC', ip })
 */
export async function confirmEmailChange(guard: Guard, input: { user: UserRecord; code: string; ip?: string }): Promise<{ user: UserRecord; previousEmail: string; delivery: Promise<void> }> {
  const live = await matchEmailCode(guard, input.user.id, 'change', input.code)
  const updated = await applyEmailVerification(guard.db, live, guard.mfa.nowDate())
  if (!updated) throw new EmailVerificationError('invalid_verification_code', undefined, { attemptsRemaining: 0 })
  await guard.claimsChanged(updated.id, updated.claimsEpoch)
  // The email-code factor sends to the account's address: its label follows it.
  await relabelFactors(guard.db, updated.id, 'email_code', maskEmail(updated.email))
  // A reset code went to the old address: it must not reset the account now known by the new one.
  await deletePasswordResets(guard.db, updated.id)
  const previousEmail = input.user.email
  await writeAudit(guard.db, { actorId: updated.id, action: 'user.email_changed', target: updated.id, before: { email: previousEmail, emailVerified: input.user.emailVerified }, after: { email: updated.email, emailVerified: true }, ip: input.ip })
  const delivery = guard.mfa.deps.mailer.send(changedNoticeMessage(previousEmail, updated.email))
  return { user: updated, previousEmail, delivery }
}

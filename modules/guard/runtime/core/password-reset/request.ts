import { newId, sha256 } from '../crypto/random'
import type { Guard } from '../engine/create-guard'
import { hitRateLimit, type RateLimitRule } from '../store/rate-limits'
import { insertPasswordResetFor } from '../store/password-resets'
import { PasswordResetError } from './errors'
import { hashOneTimeCode, newOneTimeCode } from '../crypto/one-time-code'
import { RESET_CODE_PURPOSE, RESET_CODE_TTL_SECONDS } from './code'

/** Reset requests per address (known or not) and per client address, per 15 minutes. */
export const RESET_REQUEST_RULES = {
  address: { limit: 5, windowSeconds: 900, blockSeconds: 900 },
  client: { limit: 20, windowSeconds: 900, blockSeconds: 900 },
} as const satisfies Record<string, RateLimitRule>

/** The one answer to a reset request, whether or not the address has an account. */
export interface ResetRequestAnswer { ok: true; expiresInSeconds: number }

/** What the request asks for: the address, the client address, and the page the email links to. */
export interface ResetRequestInput {
  email: string
  ip?: string
  /** The absolute URL of the reset page (the email links to it with the address filled in). */
  resetUrl?: string
}

/**
 * Starts a password reset: counts the request per address and per client
 * (429 `too_many_attempts` past either, for unknown addresses alike), then
 * makes a code (10 symbols, 30 minutes, 5 tries, stored as a keyed hash) and
 * stores it in one statement that runs the same way whether or not the
 * address has an account. A disabled account gets no code, only an email
 * that says it is disabled and whom to ask. The email goes out after the answer (`delivery`),
 * so the answer — `{ ok: true, expiresInSeconds: 1800 }` — is the same in
 * status, body and time for every address.
 *
 * @example
 * const { answer, delivery } = await requestPasswordReset(guard, { email: 'ada@example.com', ip })
 * void delivery.catch(log) // answer: { ok: true, expiresInSeconds: 1800 }
 */
export async function requestPasswordReset(guard: Guard, input: ResetRequestInput): Promise<{ answer: ResetRequestAnswer; delivery: Promise<void> }> {
  const now = guard.mfa.nowDate()
  guard.mfa.pruneOccasionally()
  const byAddress = await hitRateLimit(guard.db, `reset-request:address:${sha256(input.email.toLowerCase())}`, RESET_REQUEST_RULES.address, now)
  const byClient = await hitRateLimit(guard.db, `reset-request:client:${input.ip || 'unknown'}`, RESET_REQUEST_RULES.client, now)
  const wait = Math.max(byAddress.retryAfterSeconds, byClient.retryAfterSeconds)
  if (wait > 0) throw new PasswordResetError('too_many_attempts', `Too many reset requests; try again in ${Math.ceil(wait / 60)} minutes.`, { retryAfterSeconds: wait })
  const code = newOneTimeCode()
  const id = newId('reset')
  const expiresAt = new Date(now.getTime() + RESET_CODE_TTL_SECONDS * 1000)
  const user = await insertPasswordResetFor(guard.db, { id, email: input.email, codeHash: hashOneTimeCode(RESET_CODE_PURPOSE, id, code, guard.mfa.pepper), now, expiresAt })
  const message = user && (user.disabled ? disabledMessage(user.email) : resetMessage(user.email, code, input))
  const delivery = message ? guard.mfa.deps.mailer.send(message) : Promise.resolve()
  return { answer: { ok: true, expiresInSeconds: RESET_CODE_TTL_SECONDS }, delivery }
}

function resetMessage(to: string, code: string, input: ResetRequestInput) {
  const link = input.resetUrl ? `\n\nOr open ${input.resetUrl}?email=${encodeURIComponent(to)}&code=${encodeURIComponent(code)}` : ''
  return {
    to,
    subject: 'Reset your password',
    text: `Your password reset code is ${code}. It works once, for ${RESET_CODE_TTL_SECONDS / 60} minutes.${link}\n\nIf you did not ask for it, ignore this email: your password stays as it is.`,
  }
}

function disabledMessage(to: string) {
  return {
    to,
    subject: 'Your password cannot be reset',
    text: `Someone asked to reset the password of ${to}, but this account is disabled, so no reset code was sent.\n\nContact the site's administrator to have it enabled again.`,
  }
}

import { randomBytes } from 'node:crypto'
import { createGuard, type Guard, type GuardOptions } from '../../modules/guard/runtime/core/engine/create-guard'
import type { MailMessage, Mailer } from '../../modules/guard/runtime/core/mail/mailer'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { confirmTotpEnrollment, startTotpEnrollment } from '../../modules/guard/runtime/core/mfa/totp/service'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import type { GuardConfigInput } from '../../modules/guard/runtime/core/config/schema'
import { fakeClock, type FakeClock } from './fake-clock'

/** A guard on its own in-memory PGlite with a fake clock and a mailer that keeps what it sends. */
export interface MfaEngine {
  guard: Guard
  db: GuardDatabase
  clock: FakeClock
  mail: MailMessage[]
  secret: string
  close(): Promise<void>
}

/** One per test file (`beforeAll`): PGlite takes a few seconds to start. */
export async function startMfaEngine(seed: GuardConfigInput = {}, options: Pick<GuardOptions, 'mfaTokenTtlSeconds' | 'appName'> = {}): Promise<MfaEngine> {
  const clock = fakeClock()
  const db = await openDatabase({ dataDir: 'memory://' })
  const mail: MailMessage[] = []
  const mailer: Mailer = { send: async (message) => { mail.push(message) } }
  const secret = randomBytes(32).toString('base64url')
  const guard = await createGuard({ database: db, secret, seed, now: clock.now, mailer, ...options })
  return { guard, db, clock, mail, secret, close: async () => { await guard.close(); await db.close() } }
}

let counter = 0

/** A new user with a fresh session. */
export async function newUser(engine: MfaEngine, label = 'user') {
  const email = `${label}-${++counter}-${randomBytes(3).toString('hex')}@example.test`
  const issued = await engine.guard.sessions.signUp({ email, password: 'password-123' })
  return { userId: issued.user.id, sessionId: issued.sessionId, email, issued }
}

/** Enrolls TOTP for a user (through the real enrollment) and returns the base32 secret. */
export async function enrollTotp(engine: MfaEngine, user: { userId: string; sessionId: string; email: string }) {
  const { secret } = await startTotpEnrollment(engine.guard.mfa, { ...user, account: user.email, issuer: 'Test' })
  const result = await confirmTotpEnrollment(engine.guard.mfa, { ...user, code: totpCodeAt(secret, engine.clock.now()) })
  // Later codes must come from later time steps: one code is accepted at most once.
  engine.clock.advance(30_000)
  return { secret, ...result }
}

/** A second session for the same user (sign in again). */
export async function signInAgain(engine: MfaEngine, email: string) {
  const issued = await engine.guard.sessions.signIn({ email, password: 'password-123' })
  return { userId: issued.user.id, sessionId: issued.sessionId, email, issued }
}

/**
 * Verifies a user's address through the real flow (the emailed code, then
 * confirming it): the email-code factor is only set up for a verified address.
 */
export async function verifyAddress(engine: MfaEngine, user: { userId: string; email: string }): Promise<void> {
  const { sendVerificationEmail, confirmEmailVerification } = await import('../../modules/guard/runtime/core/email-verification/verify')
  const { findUserById } = await import('../../modules/guard/runtime/core/store/users')
  const { delivery } = await sendVerificationEmail(engine.guard, (await findUserById(engine.db, user.userId))!)
  await delivery
  const code = /code is ([A-Z0-9-]+)\./.exec(engine.mail.filter(m => m.to === user.email).at(-1)!.text)![1]!
  await confirmEmailVerification(engine.guard, { user: (await findUserById(engine.db, user.userId))!, code })
}

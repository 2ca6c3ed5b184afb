import { deriveKey, describeSecretProblem } from '../crypto/secret'
import { openDatabase, type DatabaseOptions, type GuardDatabase, type ListenerStatus } from '../store/db/database'
import { migrate } from '../store/db/migrations'
import { Authenticator } from './authenticator'
import { KeyManager } from './key-manager'
import { assertSecretOpensDatabase } from './secret-check'
import { LiveConfig } from './live-config'
import { REVOCATION_CHANNEL, syncInstances } from './instance-sync'
import { CLAIMS_CHANNEL } from './claims-epochs'
import { bumpClaimsEpoch } from '../store/users'
import { listActiveSessionIds } from '../store/sessions'
import { SessionService } from './sessions'
import { TokenParties } from './token-parties'
import { SignInThrottle } from './sign-in-throttle'
import { MfaCore } from '../mfa/service'
import { outboxMailer, type Mailer } from '../mail/mailer'
import { smtpMailer } from '../mail/smtp'
import { namedMailer } from '../mail/named'
import type { BreachedPasswordsOptions } from '../passwords/breached'

export { REVOCATION_CHANNEL }

export interface GuardOptions {
  /** Connection settings, or an already open database (tests share one). */
  database: DatabaseOptions | GuardDatabase
  /** The server secret (`NUXT_GUARD_SECRET`), at least 32 bytes. */
  secret: string
  /** The config document seeded on first boot. */
  seed: unknown
  /** Clock in milliseconds; tests move it. */
  now?: () => number
  /** How MFA email codes are sent; default: `smtpUrl` when set, else the outbox table. */
  mailer?: Mailer
  /** `smtp://…` (env `NUXT_GUARD_SMTP_URL`): send email codes through SMTP. */
  smtpUrl?: string
  /** Overrides the config's `mfa.mfaTokenTtlSeconds` (env `NUXT_GUARD_MFA_TOKEN_TTL`). */
  mfaTokenTtlSeconds?: number
  /** The application's name: every email's subject starts with it (`Acme: Reset your password`). */
  appName?: string
  /** What new session tokens carry as `aud` (the module's `audience`; normalized, see tokenAudienceSettings). */
  audience?: readonly string[]
  /** The breached-password check's client: range URL, `fetch`, timeout (`account.breachedPasswordCheck` switches the check on). */
  breachedPasswords?: BreachedPasswordsOptions
}

/** Everything the HTTP layer needs, framework-free. */
export interface Guard {
  db: GuardDatabase
  live: LiveConfig
  keys: KeyManager
  sessions: SessionService
  /** Sign-in throttling and known-device tokens (README "Throttling and client addresses"). */
  throttle: SignInThrottle
  authenticator: Authenticator
  /** Second factors: strategies, rate limits, completing a factor, step-up tokens. */
  mfa: MfaCore
  secret: string
  now: () => number
  /** The application's name (`GuardOptions.appName`) when set: new passwords may not contain it. */
  appName?: string
  /** The breached-password check's client (`GuardOptions.breachedPasswords`). */
  breachedPasswords?: BreachedPasswordsOptions
  /**
   * Whether other instances' changes reach this one: `connected`, or
   * `reconnecting` since `sinceMs` (serving meanwhile; it catches up once
   * back). PGlite is always `connected`. For a readiness endpoint.
   */
  listenerStatus(): ListenerStatus
  /**
   * What a user's tokens render from changed (roles, metadata, factors):
   * every session of the user, on every instance, is re-minted (or judged by
   * its fresh view) at its next request. Pass the epoch the change's own
   * update returned (`UserRecord.claimsEpoch`); without one it is bumped in
   * the database first (call it after the change is committed). Resolves to
   * the user's new epoch.
   */
  claimsChanged(userId: string, epoch?: number): Promise<number | undefined>
  /** Signs a session out everywhere: the database, this instance's cache, other instances. */
  revokeSession(sessionId: string): Promise<boolean>
  /**
   * Signs every live session of a user out everywhere (a password change or
   * reset, a disabled or deleted account), but `except` when given (the
   * session that made the change and chose to stay). Resolves to how many
   * sessions it ended.
   */
  revokeUserSessions(userId: string, options?: { except?: string }): Promise<number>
  close(): Promise<void>
}

const isDatabase = (value: GuardOptions['database']): value is GuardDatabase => 'query' in value

/**
 * Opens storage, applies migrations, loads (or seeds) the live config and the
 * key set, and subscribes to changes made by other instances.
 *
 * @example
 * const guard = await createGuard({ database: { dataDir: '.data/guard/db' }, secret, seed: {} })
 * const result = await guard.authenticator.authenticate({ token })
 */
export async function createGuard(options: GuardOptions): Promise<Guard> {
  const problem = describeSecretProblem(options.secret)
  if (problem) throw new Error(problem)
  const now = options.now ?? Date.now
  const ownsDatabase = !isDatabase(options.database)
  const db = isDatabase(options.database) ? options.database : await openDatabase(options.database)
  try {
    await migrate(db)
    const live = new LiveConfig(db)
    await live.load(options.seed)
    await assertSecretOpensDatabase(db, deriveKey(options.secret, 'seal'), new Date(now()))
    const keys = new KeyManager(db, deriveKey(options.secret, 'seal'), now)
    await keys.init()
    const throttle = new SignInThrottle(db, options.secret, now)
    const sessions = new SessionService(db, live, keys, now, throttle, new TokenParties(options.audience))
    const authenticator = new Authenticator(live, keys, sessions, now)
    const mailer = namedMailer(options.mailer ?? (options.smtpUrl ? await smtpMailer(options.smtpUrl) : outboxMailer(db)), options.appName)
    if (!options.mailer && !options.smtpUrl && live.policy.config.account.emailVerification === 'required') {
      console.warn('[nuxt-guard] account.emailVerification is "required" but no SMTP is set: verification codes only reach the console\'s outbox, which an unverified admin cannot open. Set NUXT_GUARD_SMTP_URL (and npm i nodemailer), or verify the admin\'s address before requiring it.')
    }
    const revokeSession = async (sessionId: string) => {
      authenticator.revokeLocally(sessionId)
      const revoked = await sessions.signOut(sessionId)
      await db.notify(REVOCATION_CHANNEL, sessionId).catch(() => {})
      return revoked
    }
    const revokeUserSessions = async (userId: string, { except }: { except?: string } = {}) => {
      let revoked = 0
      for (const sessionId of await listActiveSessionIds(db, userId, new Date(now()))) {
        if (sessionId !== except && await revokeSession(sessionId)) revoked++
      }
      return revoked
    }
    const mfa = new MfaCore({ db, live, sessions, secret: options.secret, mailer, now, mfaTokenTtlSeconds: options.mfaTokenTtlSeconds, endSession: revokeSession })
    const stopSync = await syncInstances({ db, live, keys, authenticator, now })
    return {
      db, live, keys, sessions, throttle, authenticator, mfa, secret: options.secret, now,
      appName: options.appName, breachedPasswords: options.breachedPasswords,
      listenerStatus: () => db.listenerStatus(),
      revokeSession,
      revokeUserSessions,
      async claimsChanged(userId, epoch) {
        const current = epoch ?? await bumpClaimsEpoch(db, userId)
        if (current === undefined) return undefined
        authenticator.epochs.noteUser(userId, current)
        await db.notify(CLAIMS_CHANNEL, `${userId} ${current}`).catch(() => {})
        return current
      },
      async close() {
        await stopSync().catch(() => {})
        if (ownsDatabase) await db.close()
      },
    }
  }
  catch (error) {
    if (ownsDatabase) await db.close().catch(() => {})
    throw error
  }
}

import type { FactorId, GuardConfig } from '../config/schema'
import { deriveKey } from '../crypto/secret'
import type { Mailer } from '../mail/mailer'
import { checkMfaRequirements } from './requirements'
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes/codes'
import type { GuardDatabase } from '../store/db/database'
import { enrolledFactorTypes, listFactors, type FactorRecord } from '../store/factors'
import { countRecoveryCodes, replaceRecoveryCodes } from '../store/recovery-codes'
import { findLiveSession, recordSessionFactor } from '../store/sessions'
import { hitRateLimit, resetRateLimit, type RateLimitRule } from '../store/rate-limits'
import { pruneExpiredRows } from '../engine/prune'
import { writeAudit } from '../store/audit'
import { mintMfaToken, type MfaTokenClaims } from '../tokens/mfa-token'
import { openStepUpToken } from './step-up-token'
import type { LiveConfig } from '../engine/live-config'
import { MfaError, tooManyAttempts } from './errors'
import type { RenewedSession, SessionService } from '../engine/sessions'
import { FACTOR_LABELS } from './factor-labels'

/** Attempts per challenge (one session's tries at its second factor); the attempt past them ends the session. */
export const CHALLENGE_RULE: RateLimitRule = { limit: 5, windowSeconds: 900, blockSeconds: 900 }
/**
 * Second-factor attempts on one account from one client address (the
 * address its session signed in from), over all its sessions and factors,
 * then that client waits an hour. Never a lock on the factor itself: a
 * password-only attacker elsewhere cannot keep the owner out.
 */
export const FACTOR_CLIENT_RULE: RateLimitRule = { limit: 10, windowSeconds: 3_600, blockSeconds: 3_600 }

/** What the MFA engine needs from the guard. */
export interface MfaDeps {
  db: GuardDatabase
  live: LiveConfig
  sessions: SessionService
  secret: string
  mailer: Mailer
  now: () => number
  /** Overrides `mfa.mfaTokenTtlSeconds` (env `NUXT_GUARD_MFA_TOKEN_TTL`). */
  mfaTokenTtlSeconds?: number
  /** Ends a session everywhere (guard.revokeSession); default: sessions.signOut. */
  endSession?: (sessionId: string) => Promise<unknown>
}

/** GET /mfa/factors: the user's MFA state as the console shows it. */
export interface MfaStatus {
  strategies: GuardConfig['mfa']['strategies']
  enforce: GuardConfig['mfa']['enforce']
  enrolled: { id: string; type: FactorRecord['type']; label: string; createdAt: string; lastUsedAt: string | null }[]
  recoveryCodesRemaining: number
  completed: Record<string, number>
  satisfied: boolean
}

/**
 * The MFA core shared by every factor: live strategy switches, rate limits,
 * recording a completed factor on the session (and reissuing its token),
 * recovery-code sets and step-up tokens. The live config is read on every
 * call, never cached.
 *
 * @example
 * const mfa = new MfaCore({ db, live, sessions, secret, mailer, now })
 * mfa.assertStrategy('totp')
 * const issued = await mfa.complete(sessionId, 'totp')
 */
export class MfaCore {
  private lastPruneMs = 0
  readonly sealKey: Uint8Array
  readonly pepper: Uint8Array
  private readonly tokenKey: Uint8Array

  constructor(readonly deps: MfaDeps) {
    this.sealKey = deriveKey(deps.secret, 'seal')
    this.pepper = deriveKey(deps.secret, 'code-pepper')
    this.tokenKey = deriveKey(deps.secret, 'mfa-token')
  }

  get db(): GuardDatabase { return this.deps.db }
  get config(): GuardConfig['mfa'] { return this.deps.live.policy.config.mfa }
  nowDate(): Date { return new Date(this.deps.now()) }
  nowSeconds(): number { return Math.floor(this.deps.now() / 1000) }

  /** Refuses with 403 `strategy_disabled` when the live config has `factor` switched off. */
  assertStrategy(factor: FactorId): void {
    if (!this.config.strategies[factor]) {
      throw new MfaError('strategy_disabled', `${FACTOR_LABELS[factor]} is switched off on this site; use another factor or ask an administrator.`)
    }
  }

  /** At most once an hour per instance: drops rate-limit rows, codes and challenges that can no longer matter. */
  pruneOccasionally(): void {
    const nowMs = this.deps.now()
    if (nowMs - this.lastPruneMs < 3_600_000) return
    this.lastPruneMs = nowMs
    void pruneExpiredRows(this.db, new Date(nowMs)).catch(() => { this.lastPruneMs = 0 })
  }

  /**
   * Counts one attempt at a second factor, per session (5, then the session
   * is ended: sign in again) and per (account, client address its session
   * signed in from) (10 an hour, then that client waits): 429 when either is
   * spent. Nothing is counted per factor for everyone, so failures from
   * sessions elsewhere never refuse the owner's right code.
   */
  async countAttempt(sessionId: string, userId: string, factor: FactorId): Promise<{ attemptsRemaining: number }> {
    this.pruneOccasionally()
    const now = this.nowDate()
    const challenge = await hitRateLimit(this.db, `challenge:${sessionId}`, CHALLENGE_RULE, now)
    if (!challenge.allowed) {
      await (this.deps.endSession ?? (id => this.deps.sessions.signOut(id)))(sessionId)
      throw new MfaError('too_many_attempts', 'Too many wrong answers in this session, so it has ended; sign in again.', { retryAfterSeconds: challenge.retryAfterSeconds, sessionEnded: true })
    }
    const client = await this.sessionClient(sessionId)
    const perClient = await hitRateLimit(this.db, `factor-client:${userId}:${client}`, FACTOR_CLIENT_RULE, now)
    if (!perClient.allowed) {
      if (perClient.count === FACTOR_CLIENT_RULE.limit + 1) await this.audit(userId, 'mfa.client_throttled', { factor, client, minutes: FACTOR_CLIENT_RULE.blockSeconds / 60 })
      throw tooManyAttempts(perClient.retryAfterSeconds)
    }
    return { attemptsRemaining: Math.max(0, Math.min(CHALLENGE_RULE.limit - challenge.count, FACTOR_CLIENT_RULE.limit - perClient.count)) }
  }

  /** After a success: this session's challenge and its client's count start over. */
  async clearAttempts(sessionId: string, userId: string, _factor?: FactorId): Promise<void> {
    const now = this.nowDate()
    await resetRateLimit(this.db, `factor-client:${userId}:${await this.sessionClient(sessionId)}`, now)
    await resetRateLimit(this.db, `challenge:${sessionId}`, now)
  }

  /** The client address the session signed in from (`unknown` when none was recorded). */
  private async sessionClient(sessionId: string): Promise<string> {
    const [row] = await this.db.query<{ ip: string | null }>('select ip from guard_sessions where id = $1', [sessionId])
    return row?.ip || 'unknown'
  }

  /**
   * Records an MFA event of a user in the audit log (the user is the actor).
   *
   * @example
   * await mfa.audit(userId, 'mfa.factor_enrolled', { type: 'totp' })
   */
  audit(userId: string, action: string, after?: unknown): Promise<void> {
    return writeAudit(this.db, { actorId: userId, action, target: userId, after })
  }

  /** 401 `invalid_code` with the attempts left. */
  invalidCode(attemptsRemaining: number, what = 'code'): MfaError {
    return new MfaError('invalid_code', `That ${what} is not valid${attemptsRemaining ? `; ${attemptsRemaining} attempt${attemptsRemaining === 1 ? '' : 's'} left` : ''}. Check it and try again.`, { attemptsRemaining })
  }

  /**
   * Records `factor` as completed now on the session and renews the session:
   * a new token and a new refresh secret (a change of privilege: cookies
   * copied before it never refresh again). The caller writes both cookies.
   *
   * @example
   * const issued = await mfa.complete(sessionId, 'totp')
   */
  async complete(sessionId: string, factor: FactorId, atSeconds = this.nowSeconds()): Promise<RenewedSession> {
    const session = await recordSessionFactor(this.db, sessionId, factor, atSeconds, this.nowDate())
    const issued = session && await this.deps.sessions.renew(session.id)
    if (!issued) throw new MfaError('session_expired', 'This session has ended; sign in again.')
    return issued
  }

  /**
   * Whether this session completed any second factor (sensitive changes need
   * one once a factor exists): 403 `mfa_required` when not. `tokenFactors` are
   * the factors the caller's own session token says were completed: a token
   * minted before the factor was completed (a copy taken with only the
   * password) does not count, even though its session has completed it since.
   */
  async requireCompletedFactor(sessionId: string, userId: string, tokenFactors?: Readonly<Record<string, number | undefined>>): Promise<void> {
    if (!(await enrolledFactorTypes(this.db, userId)).length) return
    const session = await findLiveSession(this.db, sessionId, this.nowDate())
    const done = (factors: Readonly<Record<string, number | undefined>>) => Object.values(factors).some(at => typeof at === 'number')
    if (!session || !done(session.factors) || (tokenFactors && !done(tokenFactors))) {
      throw new MfaError('mfa_required', 'Complete your second factor in this session first, then retry.')
    }
  }

  /**
   * A new recovery-code set (the old one is void), shown once; only salted hashes are stored.
   *
   * @example
   * const codes = await mfa.regenerateRecoveryCodes(userId)
   */
  async regenerateRecoveryCodes(userId: string): Promise<string[]> {
    this.assertStrategy('recovery_code')
    const codes = newRecoveryCodes()
    await replaceRecoveryCodes(this.db, userId, await Promise.all(codes.map(code => hashRecoveryCode(code, this.pepper))))
    await this.audit(userId, 'mfa.recovery_codes_issued', { count: codes.length })
    return codes
  }

  /** After the first factor is enrolled: a recovery-code set when that strategy is on and none exists. */
  async recoveryCodesForFirstFactor(userId: string): Promise<string[] | undefined> {
    if (!this.config.strategies.recovery_code || await countRecoveryCodes(this.db, userId)) return undefined
    return this.regenerateRecoveryCodes(userId)
  }

  /** The user's MFA state for the console. */
  async status(userId: string, sessionId: string): Promise<MfaStatus> {
    const { strategies, enforce, requirements } = this.config
    const [factors, remaining, session] = await Promise.all([
      listFactors(this.db, userId), countRecoveryCodes(this.db, userId), findLiveSession(this.db, sessionId, this.nowDate()),
    ])
    const completed = (session?.factors ?? {}) as Record<string, number>
    return {
      strategies: { ...strategies },
      enforce,
      enrolled: factors.map(f => ({ id: f.id, type: f.type, label: f.label, createdAt: f.createdAt.toISOString(), lastUsedAt: f.lastUsedAt?.toISOString() ?? null })),
      recoveryCodesRemaining: factors.length ? remaining : 0,
      completed,
      satisfied: checkMfaRequirements(requirements, completed, strategies).satisfied,
    }
  }

  /** TTL of step-up tokens: the env override, else the live config. */
  mfaTokenTtlSeconds(): number {
    return this.deps.mfaTokenTtlSeconds ?? this.config.mfaTokenTtlSeconds
  }

  /**
   * A step-up `mfa_token` for a session.
   *
   * @example
   * const token = await mfa.mintStepUpToken(auth.sessionId)
   */
  mintStepUpToken(sessionId: string): Promise<string> {
    return mintMfaToken(this.tokenKey, { sessionId, nowSeconds: this.nowSeconds(), ttlSeconds: this.mfaTokenTtlSeconds() })
  }

  /** Opens a step-up token for this session; 401 `mfa_token_expired` / `mfa_token_invalid`, 404 `mfa_token_not_found` (MfaTokenError; see openStepUpToken). */
  verifyStepUpToken(token: string, sessionId: string): Promise<MfaTokenClaims> {
    return openStepUpToken(this.db, this.tokenKey, token, { sessionId, nowSeconds: this.nowSeconds() })
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto'
import { randomToken, sha256 } from '../crypto/random'
import { deriveKey } from '../crypto/secret'
import { GuardError } from '../errors'
import type { GuardDatabase } from '../store/db/database'
import { countFailures, forgetAttempt, forgetPairFailures, recordAttempt, secondsUntilBelow, type FailureScope, type SignInAttemptKey } from '../store/sign-in-failures'

/**
 * The sign-in throttling policy (README "Throttling and client addresses").
 * Every count is of failures over a sliding window; a refused attempt is
 * never checked and never counted.
 */
export const SIGN_IN_LIMITS = {
  /** Failures on one account from clients without a known device, per sliding hour (ASVS V2.2.1, NIST SP 800-63B: ≤ 100). */
  account: { limit: 100, windowSeconds: 3_600 },
  /** Failures of one client address on one account, per sliding 15 minutes. */
  pair: { limit: 10, windowSeconds: 900 },
  /** Failures of one client address over all accounts, per sliding 15 minutes (loose: many users share a NAT). */
  client: { limit: 100, windowSeconds: 900 },
  /** Failures with one known device, per sliding hour; past it the device is no longer trusted. */
  device: { limit: 5, windowSeconds: 3_600 },
} as const

/** How long a known-device token is honoured after it was issued. */
export const KNOWN_DEVICE_MAX_AGE_SECONDS = 365 * 86_400

/** Where a sign-in comes from, as the throttle sees it. */
export interface SignInClient {
  /** The client address (`clientAddress(event)`: the peer, or the forwarded address behind a trusted proxy). */
  ip?: string
  /** Known-device tokens the client showed (the `knownDeviceToken` of earlier complete sign-ins). */
  knownDevices?: readonly string[]
}

/** 429 `too_many_attempts` (with `retryAfterSeconds`): this attempt was refused before its password was checked. */
export class SignInThrottledError extends GuardError {
  declare readonly retryAfterSeconds: number
  constructor(retryAfterSeconds: number, readonly scope: Exclude<FailureScope, 'device'>) {
    super('too_many_attempts', SCOPE_MESSAGES[scope](Math.max(1, Math.ceil(retryAfterSeconds / 60))), { retryAfterSeconds })
  }
}

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`
const SCOPE_MESSAGES: Record<Exclude<FailureScope, 'device'>, (m: number) => string> = {
  pair: m => `Too many failed sign-ins for this account from your network; try again in ${minutes(m)}.`,
  client: m => `Too many failed sign-ins from your network; try again in ${minutes(m)}.`,
  account: m => `Too many failed sign-ins for this account; sign in from a device you have signed in with before, or try again in ${minutes(m)}.`,
}

/**
 * Throttles password guessing without handing attackers a lock-out:
 * - per (client address, account): 10 failures per 15 minutes, then that
 *   client waits for that account only;
 * - per client address: 100 failures per 15 minutes over all accounts (a
 *   NAT or proxy address is shared, so it is loose);
 * - per account, across addresses: 100 failures per sliding hour from
 *   clients without a known device, then such clients wait;
 * - a known device (a signed token the browser got from an earlier complete
 *   sign-in to that account) is judged by its own failures only (5 per
 *   hour), so distributed guessing never keeps the owner out of a device
 *   they have used before.
 * The attempt is recorded before the password is checked, so concurrent
 * attempts cannot slip past a limit; a success deletes it.
 *
 * @example
 * const throttle = new SignInThrottle(db, secret, Date.now)
 * const issued = await throttle.attempt(email, { ip }, () => checkPassword())
 */
export class SignInThrottle {
  private readonly deviceKey: Uint8Array

  constructor(private readonly db: GuardDatabase, secret: string, private readonly now: () => number) {
    this.deviceKey = deriveKey(secret, 'known-device')
  }

  /** The account's key: a hash of the normalized email, so made-up addresses count and none is stored. */
  accountKey(email: string): string {
    return sha256(`sign-in:${email.trim().toLowerCase()}`)
  }

  /**
   * A token that marks this browser as known for the account: issue it after
   * a complete sign-in (password and, when enrolled, a second factor).
   *
   * @example
   * setCookie(event, 'guard_known', throttle.knownDeviceToken(user.email))
   */
  knownDeviceToken(email: string): string {
    const issuedAt = Math.floor(this.now() / 1000)
    const id = randomToken(12)
    return `${issuedAt}.${id}.${this.mac(this.accountKey(email), issuedAt, id)}`
  }

  /** The id of the first of `tokens` that is a live known-device token for the account, else `undefined`. */
  knownDeviceId(email: string, tokens: readonly string[] = []): string | undefined {
    const account = this.accountKey(email)
    const nowSeconds = Math.floor(this.now() / 1000)
    for (const token of tokens.slice(0, 8)) {
      const [at, id, mac] = token.split('.')
      const issuedAt = Number(at)
      if (!id || !mac || !Number.isInteger(issuedAt) || issuedAt > nowSeconds + 60 || nowSeconds - issuedAt > KNOWN_DEVICE_MAX_AGE_SECONDS) continue
      const expected = Buffer.from(this.mac(account, issuedAt, id))
      const given = Buffer.from(mac)
      if (given.length === expected.length && timingSafeEqual(given, expected)) return id
    }
    return undefined
  }

  /**
   * Runs `check` (the password check and session start) unless a limit
   * refuses the attempt first (`SignInThrottledError`). A rejection of
   * `check` with `isFailure(error)` counts as a failure; anything else
   * (success or another error) does not.
   */
  async attempt<T>(email: string, client: SignInClient, check: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    const now = new Date(this.now())
    const key = await this.keyFor(email, client, now)
    const id = await recordAttempt(this.db, key, now)
    try {
      const counts = await countFailures(this.db, key, now, { accountSeconds: SIGN_IN_LIMITS.account.windowSeconds, clientSeconds: SIGN_IN_LIMITS.pair.windowSeconds })
      // The counts include this attempt: it may go ahead while they stay within the limits.
      const over = key.device ? [] : (['pair', 'client', 'account'] as const).filter(scope => counts[scope] > SIGN_IN_LIMITS[scope].limit)
      if (over.length) {
        await forgetAttempt(this.db, id)
        const waits = await Promise.all(over.map(async scope => ({ scope, wait: await secondsUntilBelow(this.db, key, scope, SIGN_IN_LIMITS[scope].limit, SIGN_IN_LIMITS[scope].windowSeconds, now) })))
        const longest = waits.reduce((a, b) => (b.wait > a.wait ? b : a))
        throw new SignInThrottledError(longest.wait, longest.scope)
      }
    }
    catch (error) {
      if (!(error instanceof SignInThrottledError)) await forgetAttempt(this.db, id).catch(() => {})
      throw error
    }
    let result: T
    try { result = await check() }
    catch (error) {
      if (!isFailure(error)) await forgetAttempt(this.db, id).catch(() => {})
      throw error
    }
    await forgetAttempt(this.db, id)
    await forgetPairFailures(this.db, key)
    return result
  }

  /** The attempt's key; a known device that has itself failed too often is treated as unknown. */
  private async keyFor(email: string, client: SignInClient, now: Date): Promise<SignInAttemptKey> {
    const key: SignInAttemptKey = { account: this.accountKey(email), client: client.ip || 'unknown' }
    const device = this.knownDeviceId(email, client.knownDevices)
    if (!device) return key
    const { device: failures } = await countFailures(this.db, { ...key, device }, now, { accountSeconds: SIGN_IN_LIMITS.device.windowSeconds, clientSeconds: SIGN_IN_LIMITS.pair.windowSeconds })
    return failures < SIGN_IN_LIMITS.device.limit ? { ...key, device } : key
  }

  private mac(account: string, issuedAt: number, id: string): string {
    return createHmac('sha256', this.deviceKey).update(`${account}.${issuedAt}.${id}`).digest('base64url')
  }
}

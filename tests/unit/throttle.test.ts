/**
 * Throttling from the attacker's side (issue 10, items 6 and 7), on the
 * engine over each backend: an attacker's failures never keep a rightful
 * user with the right credential out, while guessing is throttled per
 * (client, account), per client and per account across addresses.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { confirmTotpEnrollment, startTotpEnrollment } from '../../modules/guard/runtime/core/mfa/totp/service'
import { InvalidCredentialsError } from '../../modules/guard/runtime/core/engine/sessions'
import { SIGN_IN_LIMITS, SignInThrottledError } from '../../modules/guard/runtime/core/engine/sign-in-throttle'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { findLiveSession } from '../../modules/guard/runtime/core/store/sessions'
import { recordAttempt } from '../../modules/guard/runtime/core/store/sign-in-failures'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, newEmail, startEngine, stopEngine } from '../support/engine'

// Every sign-in hashes a password with scrypt: generous timeouts on a busy machine.
vi.setConfig({ testTimeout: 120_000 })

let addressCounter = 0
/** A fresh client address (TEST-NET-2 / TEST-NET-3 and documentation IPv6). */
const newAddress = () => {
  const n = ++addressCounter
  return n % 2 ? `198.51.${(n >> 8) & 255}.${n & 255}` : `2001:db8::${n.toString(16)}`
}

describe.each(testBackends())('throttling on $name', (backend) => {
  const clock = fakeClock()
  let db: GuardDatabase
  let guard: Guard

  beforeAll(async () => { ({ db, guard } = await startEngine(backend, clock.now)) }, 60_000)
  afterAll(() => stopEngine(backend, { guard, db }), 30_000)

  const signIn = (email: string, password: string, ip: string, knownDevices?: string[]) =>
    guard.sessions.signIn({ email, password }, { ip, knownDevices })
  /** What a sign-in came to: 'ok', 401 or 429 (with the wait). */
  const outcome = (email: string, password: string, ip: string, knownDevices?: string[]) => signIn(email, password, ip, knownDevices).then(
    () => 'ok' as const,
    (error: unknown) => {
      if (error instanceof SignInThrottledError) return { status: 429, retryAfterSeconds: error.retryAfterSeconds, scope: error.scope }
      if (error instanceof InvalidCredentialsError) return 401
      throw error
    },
  )
  const newAccount = async (label: string) => {
    const email = newEmail(label)
    const issued = await guard.sessions.signUp({ email, password: PASSWORD }, { ip: newAddress() })
    return { email, userId: issued.user.id, sessionId: issued.sessionId }
  }

  describe('(a) one client\'s failures', () => {
    it('20 failed sign-ins for made-up addresses from one client do not refuse that client\'s correct sign-in of a real account', async () => {
      const ada = await newAccount('ada')
      const attacker = newAddress()
      for (let i = 0; i < 20; i++) expect(await outcome(newEmail('made-up'), 'guess', attacker)).toBe(401)
      expect(await outcome(ada.email, PASSWORD, attacker)).toBe('ok')
    })

    it('10 failures on one account from one client throttle that pair only: another client, and another account from it, still get in', async () => {
      const ada = await newAccount('ada')
      const bob = await newAccount('bob')
      const attacker = newAddress()
      for (let i = 0; i < SIGN_IN_LIMITS.pair.limit; i++) expect(await outcome(ada.email, 'guess', attacker)).toBe(401)
      // Refused before the password is checked, right or wrong: no oracle.
      expect(await outcome(ada.email, PASSWORD, attacker)).toMatchObject({ status: 429, scope: 'pair', retryAfterSeconds: 900 })
      expect(await outcome(ada.email, PASSWORD, newAddress())).toBe('ok')
      expect(await outcome(bob.email, PASSWORD, attacker)).toBe('ok')
      clock.advance(900_000)
      expect(await outcome(ada.email, PASSWORD, attacker)).toBe('ok')
    })

    it('100 failures from one client over many accounts hit its ceiling; a known device of that network still gets in', async () => {
      const ada = await newAccount('ada')
      const known = guard.throttle.knownDeviceToken(ada.email)
      const nat = newAddress()
      // 90 earlier failures straight into the store (each real one costs a scrypt hash), then 10 real ones.
      for (let i = 0; i < SIGN_IN_LIMITS.client.limit - 10; i++) await recordAttempt(db, { account: guard.throttle.accountKey(newEmail('stuffed')), client: nat }, new Date(clock.now()))
      const results = await Promise.all(Array.from({ length: 10 }, () => outcome(newEmail('stuffed'), 'guess', nat)))
      expect(results).toEqual(Array(10).fill(401))
      expect(await outcome(ada.email, PASSWORD, nat)).toMatchObject({ status: 429, scope: 'client' })
      expect(await outcome(ada.email, PASSWORD, nat, [known])).toBe('ok')
      expect(await outcome(ada.email, PASSWORD, newAddress())).toBe('ok')
      clock.advance(900_000)
    })
  })

  describe('(c) distributed guessing of one account', () => {
    it('100 failures per sliding hour from 100 addresses; then new addresses wait, a known device gets in, and the hour slides', async () => {
      const victim = await newAccount('victim')
      const known = guard.throttle.knownDeviceToken(victim.email)
      const otherAccountsDevice = guard.throttle.knownDeviceToken(newEmail('other'))
      const start = clock.now()
      for (let batch = 0; batch < SIGN_IN_LIMITS.account.limit / 10; batch++) {
        const results = await Promise.all(Array.from({ length: 10 }, () => outcome(victim.email, 'guess', newAddress())))
        expect(results).toEqual(Array(10).fill(401))
        clock.advance(60_000)
      }
      // Attempts 101–105 from five more addresses: refused unchecked, right password or not.
      for (let i = 0; i < 5; i++) expect(await outcome(victim.email, i === 4 ? PASSWORD : 'guess', newAddress())).toMatchObject({ status: 429, scope: 'account' })
      const refused = await outcome(victim.email, PASSWORD, newAddress(), [otherAccountsDevice, 'forged.token.value'])
      expect(refused).toMatchObject({ status: 429, scope: 'account' })
      // Retry-After: when the oldest of the 100 leaves the sliding hour.
      expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBe(Math.ceil((start + 3_600_000 - clock.now()) / 1000))
      // The owner, on a browser that completed a sign-in before, is not kept out by the attacker's failures.
      expect(await outcome(victim.email, PASSWORD, newAddress(), [known])).toBe('ok')
      // A stolen known-device token is trusted for 5 failures an hour, then judged like any other client.
      for (let i = 0; i < SIGN_IN_LIMITS.device.limit; i++) expect(await outcome(victim.email, 'guess', newAddress(), [known])).toBe(401)
      expect(await outcome(victim.email, PASSWORD, newAddress(), [known])).toMatchObject({ status: 429, scope: 'account' })
      // Once the first 10 failures leave the hour, 10 more attempts are judged again.
      clock.set(start + 3_600_000 + 1_000)
      expect(await outcome(victim.email, PASSWORD, newAddress())).toBe('ok')
    })

    it('concurrent guesses cannot slip past the account limit', async () => {
      const victim = await newAccount('victim')
      const account = guard.throttle.accountKey(victim.email)
      for (let i = 0; i < SIGN_IN_LIMITS.account.limit - 5; i++) await recordAttempt(db, { account, client: newAddress() }, new Date(clock.now()))
      const burst = await Promise.all(Array.from({ length: 20 }, () => outcome(victim.email, 'guess', newAddress())))
      // At most the 5 left were checked; the rest were refused unchecked.
      expect(burst.filter(result => result === 401).length).toBeLessThanOrEqual(5)
      expect(burst.filter(result => typeof result === 'object').length).toBeGreaterThanOrEqual(15)
      const [{ failures }] = await db.query<{ failures: number }>('select count(*)::int as failures from guard_sign_in_failures where account = $1', [account]) as [{ failures: number }]
      expect(failures).toBeLessThanOrEqual(SIGN_IN_LIMITS.account.limit)
      clock.advance(3_600_000)
    })
  })

  describe('(b) second factors', () => {
    const enroll = async (user: { email: string; userId: string; sessionId: string }) => {
      const { secret } = await startTotpEnrollment(guard.mfa, { ...user, account: user.email, issuer: 'Test' })
      await confirmTotpEnrollment(guard.mfa, { ...user, code: totpCodeAt(secret, clock.now()) })
      clock.advance(30_000)
      return secret
    }
    const guess = (session: { userId: string; sessionId: string }, code = '000000') =>
      completeChallenge(guard.mfa, { ...session, factor: 'totp', code }).then(() => 'ok', (error: { status: number; code: string; details: Record<string, unknown> }) => ({ status: error.status, code: error.code, ...error.details }))
    const passwordOnlySession = async (email: string, ip: string) => {
      const issued = await signIn(email, PASSWORD, ip)
      return { userId: issued.user.id, sessionId: issued.sessionId }
    }

    it('10 wrong codes from password-only sessions do not refuse the owner\'s correct code; the attacker\'s sessions end and its client waits', async () => {
      const owner = await newAccount('owner')
      const secret = await enroll(owner)
      const attacker = newAddress()
      for (let round = 0; round < 2; round++) {
        const stolen = await passwordOnlySession(owner.email, attacker)
        for (let i = 0; i < 5; i++) expect(await guess(stolen)).toMatchObject({ status: 401, code: 'invalid_code' })
        // The attempt past the challenge's 5 ends that session: it must sign in again.
        expect(await guess(stolen)).toMatchObject({ status: 429, code: 'too_many_attempts', sessionEnded: true })
        expect(await findLiveSession(db, stolen.sessionId, new Date(clock.now()))).toBeUndefined()
      }
      // The attacker's client has spent its 10 an hour on this account.
      const third = await passwordOnlySession(owner.email, attacker)
      expect(await guess(third)).toMatchObject({ status: 429, code: 'too_many_attempts', retryAfterSeconds: 3_600 })
      // The owner, from their own client, with the right code: in, at once and again.
      const mine = await passwordOnlySession(owner.email, newAddress())
      expect(await guess(mine, totpCodeAt(secret, clock.now()))).toBe('ok')
      clock.advance(30_000)
      const again = await passwordOnlySession(owner.email, newAddress())
      expect(await guess(again, totpCodeAt(secret, clock.now()))).toBe('ok')
      const audit = await db.query<{ after: { client: string } }>(`select after from guard_audit where action = 'mfa.client_throttled' and actor_id = $1`, [owner.userId])
      expect(audit.map(row => row.after.client)).toEqual([attacker])
    })
  })
})

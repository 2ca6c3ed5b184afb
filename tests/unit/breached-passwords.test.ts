import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { assertAcceptablePassword } from '../../modules/guard/runtime/core/passwords/check'
import { breachCount, countPasswordBreaches, type BreachedPasswordsOptions } from '../../modules/guard/runtime/core/passwords/breached'
import { BREACHED_PASSWORD as BREACHED, CLEAN_PASSWORD as CLEAN, PADDED_PASSWORD as PADDED, paddingLine as padding, sha1, startFakeRange, type FakeRange } from '../support/fake-range'

describe('breached passwords: the k-anonymity range API against a local fake', () => {
  let fake: FakeRange
  const warnings: string[] = []
  const options = (extra: BreachedPasswordsOptions = {}): BreachedPasswordsOptions => ({ rangeUrl: `${fake.origin}/range`, warn: message => warnings.push(message), ...extra })
  beforeAll(async () => { fake = await startFakeRange() })
  afterAll(async () => { await fake.close() })

  it('counts a breached password; only the first 5 hex digits of its SHA-1 reach the server, with Add-Padding', async () => {
    fake.requests.length = 0
    expect(await countPasswordBreaches(BREACHED, options())).toBe(3861)
    expect(fake.requests).toHaveLength(1)
    const [request] = fake.requests
    expect(request!.url).toBe(`/range/${sha1(BREACHED).slice(0, 5)}`)
    expect(request!.headers['add-padding']).toBe('true')
    const sent = JSON.stringify(fake.requests)
    expect(sent).not.toContain(sha1(BREACHED).slice(5, 12))
    expect(sent.toLowerCase()).not.toContain(sha1(BREACHED).slice(5, 12).toLowerCase())
    expect(sent).not.toContain('kangaroo')
  })

  it('a password that is not listed, or listed only as a padding line (count 0), has no breaches', async () => {
    expect(await countPasswordBreaches(CLEAN, options())).toBe(0)
    expect(await countPasswordBreaches(PADDED, options())).toBe(0)
    expect(breachCount(`${sha1(PADDED).slice(5)}:0\r\nABC:7`, sha1(PADDED).slice(5))).toBe(0)
    expect(breachCount(`${sha1(BREACHED).slice(5).toLowerCase()}:12\n`, sha1(BREACHED).slice(5))).toBe(12)
  })

  it('fails open with a warning: a slow server (timeout), an error status, no server at all', async () => {
    warnings.length = 0
    fake.delayMs = 500
    const started = performance.now()
    expect(await countPasswordBreaches(BREACHED, options({ timeoutMs: 100 }))).toBeUndefined()
    expect(performance.now() - started).toBeLessThan(450)
    fake.delayMs = 0
    fake.status = 503
    expect(await countPasswordBreaches(BREACHED, options())).toBeUndefined()
    fake.status = 200
    const closed = createServer()
    await new Promise<void>(done => closed.listen(0, '127.0.0.1', done))
    const deadPort = (closed.address() as { port: number }).port
    await new Promise(done => closed.close(done))
    expect(await countPasswordBreaches(BREACHED, options({ rangeUrl: `http://127.0.0.1:${deadPort}/range` }))).toBeUndefined()
    expect(warnings).toHaveLength(3)
    expect(warnings[0]).toMatch(/breached-password check skipped, password allowed: no answer within 100 ms/)
    expect(warnings[1]).toMatch(/answered 503/)
    // The warning never names the hash prefix.
    expect(warnings.join(' ')).not.toContain(sha1(BREACHED).slice(0, 5))
  })

  it('uses the injected HTTP client', async () => {
    const asked: string[] = []
    const fakeFetch = (async (url: string | URL | Request) => {
      asked.push(String(url))
      return new Response(`${sha1(CLEAN).slice(5)}:2\r\n${padding()}`)
    }) as typeof fetch
    expect(await countPasswordBreaches(CLEAN, { rangeUrl: 'http://range.invalid/range/', fetch: fakeFetch })).toBe(2)
    expect(asked).toEqual([`http://range.invalid/range/${sha1(CLEAN).slice(0, 5)}`])
  })

  describe('through the guard (GuardOptions.breachedPasswords, account.breachedPasswordCheck)', () => {
    let db: GuardDatabase
    let guard: Guard
    beforeAll(async () => {
      db = await openDatabase({ dataDir: 'memory://' })
      guard = await createGuard({
        database: db, secret: randomBytes(32).toString('base64url'), seed: { account: { breachedPasswordCheck: true } },
        breachedPasswords: { rangeUrl: `${fake.origin}/range`, timeoutMs: 200, warn: message => warnings.push(message) },
      })
    }, 60_000)
    afterAll(async () => { await guard?.close(); await db?.close() })

    it('refuses a breached password with 422 breached_password, saying how often it was seen', async () => {
      const refused = await assertAcceptablePassword(guard, BREACHED, { email: 'ada@example.test' }).catch(error => error)
      expect(refused).toMatchObject({ code: 'breached_password', status: 422, details: { field: 'password', breaches: 3861 } })
      expect(refused.description).toBe('This password has appeared in 3,861 known data breaches, so attackers try it early. Choose another one.')
      await expect(assertAcceptablePassword(guard, CLEAN, { email: 'ada@example.test' })).resolves.toBeUndefined()
    })

    it('allows the password when the service is slow (fail open), and asks nothing of it for a weak one', async () => {
      fake.delayMs = 1_000
      warnings.length = 0
      await expect(assertAcceptablePassword(guard, BREACHED, { email: 'ada@example.test' })).resolves.toBeUndefined()
      expect(warnings).toEqual([expect.stringMatching(/no answer within 200 ms/)])
      fake.delayMs = 0
      fake.requests.length = 0
      await expect(assertAcceptablePassword(guard, 'password1', { email: 'ada@example.test' })).rejects.toMatchObject({ code: 'weak_password' })
      expect(fake.requests).toHaveLength(0)
    })

    it('asks nothing when account.breachedPasswordCheck is off', async () => {
      const off = { ...guard, live: { policy: { config: { account: { breachedPasswordCheck: false } } } } } as unknown as Guard
      fake.requests.length = 0
      await expect(assertAcceptablePassword(off, BREACHED, { email: 'ada@example.test' })).resolves.toBeUndefined()
      expect(fake.requests).toHaveLength(0)
    })
  })
})

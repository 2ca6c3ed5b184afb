/**
 * PostgreSQL goes away under a running server (the built basic fixture,
 * reaching PostgreSQL through a TCP proxy the test cuts): the guard's own API
 * and protected routes answer 503 `temporarily_unavailable` with
 * `Retry-After` in the documented shape — never a bare 500, never "not
 * signed in" for a signed-in user — and `/api/_guard/health` says so; once
 * the database is back, health is 200 and sign-in works again.
 *
 * Needs PostgreSQL (GUARD_TEST_DATABASE_URL, set in CI); skipped without it.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest, type RawResponse } from '../support/http-client'
import { tcpProxy } from '../support/tcp-proxy'

const url = process.env.GUARD_TEST_DATABASE_URL
const PASSWORD = 'correct horse battery'

/** The documented 503: `{ error: 'temporarily_unavailable', error_description }`, `Retry-After`, JSON, not cached. */
function expectUnavailable(response: RawResponse): void {
  expect({ status: response.status, body: response.body.slice(0, 300) }).toMatchObject({ status: 503 })
  expect(response.headers['retry-after']).toBe('5')
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  expect(response.headers['cache-control']).toBe('no-store')
  const body = response.json()
  expect(body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) })
  expect(body.error_description.length).toBeGreaterThan(10)
}

/** Only the long-lived refresh cookie: the short-lived session token has expired (or the browser dropped it). */
function refreshOnly(client: CookieClient): Record<string, string> {
  const refresh = [...client.cookies].find(([name]) => name.includes('refresh'))
  if (!refresh) throw new Error(`no refresh cookie among ${[...client.cookies.keys()].join(', ')}`)
  return { cookie: `${refresh[0]}=${refresh[1]}` }
}

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

describe.skipIf(!url)('PostgreSQL unreachable under a running server', async () => {
  const schema = `guard_outage_${randomBytes(6).toString('hex')}`
  const target = url ? new URL(url) : undefined
  const proxy = target ? await tcpProxy(target.hostname, Number(target.port || 5432)) : undefined
  const admin = new CookieClient()
  const member = new CookieClient()

  if (target && proxy) {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try { await client.query(`create schema ${schema}`) }
    finally { await client.end() }
    const through = new URL(url!)
    through.hostname = '127.0.0.1'
    through.port = String(proxy.port)
    through.searchParams.set('options', `-c search_path=${schema}`)
    await setup(fixtureSetup('basic', { NUXT_GUARD_DATABASE_URL: through.toString() }))

    afterAll(async () => {
      await proxy.close()
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try { await client.query(`drop schema if exists ${schema} cascade`) }
      finally { await client.end() }
    })
  }

  beforeAll(async () => {
    expect((await admin.signUp('admin@outage.test')).status).toBe(200) // the first account: admin
    expect((await member.signUp('member@outage.test')).status).toBe(200)
    expect((await member.signIn('member@outage.test')).status).toBe(200)
    const health = await rawRequest('/api/_guard/health')
    expect(health.status).toBe(200)
    expect(health.json()).toMatchObject({ status: 'ok', database: { ok: true }, keys: { ok: true }, listener: { state: 'connected' } })
    await proxy!.down()
  })

  it('health answers 503 unavailable, and the listener says it is reconnecting', async () => {
    const health = await waitFor('listener state', () => rawRequest('/api/_guard/health'), r => r.json().listener.state === 'reconnecting')
    expect(health.status).toBe(503)
    expect(health.headers['retry-after']).toBe('5')
    expect(health.headers['cache-control']).toBe('no-store')
    expect(health.json()).toMatchObject({ status: 'unavailable', database: { ok: false, latencyMs: null }, keys: { ok: true }, listener: { state: 'reconnecting', since: expect.any(String), attempts: expect.any(Number) } })
    expect(health.body).not.toContain('postgres://')
  })

  it('sign-in and sign-up answer 503, not 500', async () => {
    expectUnavailable(await new CookieClient().signIn('member@outage.test'))
    expectUnavailable(await new CookieClient().signUp('newcomer@outage.test'))
  })

  it('the admin config answers 503 to a signed-in admin', async () => {
    expectUnavailable(await admin.send('/api/_guard/admin/config'))
  })

  it('a session whose token must be refreshed gets 503 from /session, never "not signed in"', async () => {
    expectUnavailable(await rawRequest('/api/_guard/session', { headers: refreshOnly(member) }))
    // A still-valid token is checked without the database (the networkless hot path): still signed in.
    const withToken = await member.send('/api/_guard/session')
    expect(withToken.status).toBe(200)
    expect(withToken.json()).toMatchObject({ userId: expect.stringMatching(/^user_/) })
  })

  it('protected routes answer 503 to a session that needs the database; public pages still render', async () => {
    expectUnavailable(await rawRequest('/api/secret', { headers: refreshOnly(member) }))
    const page = await rawRequest('/dashboard', { headers: refreshOnly(member) })
    expect(page.status).toBe(503)
    expect(page.headers['retry-after']).toBe('5')
    const signInPage = await rawRequest('/sign-in')
    expect(signInPage.status).toBe(200)
    expect(signInPage.headers['content-type']).toMatch(/text\/html/)
  })

  it('once PostgreSQL is back: health 200 and sign-in works again', async () => {
    await proxy!.up()
    const health = await waitFor('health', () => rawRequest('/api/_guard/health'), r => r.status === 200)
    expect(['ok', 'degraded']).toContain(health.json().status)
    const again = new CookieClient()
    const signIn = await again.signIn('member@outage.test', PASSWORD)
    expect(signIn.status).toBe(200)
    expect((await again.send('/api/_guard/session')).status).toBe(200)
    expect((await rawRequest('/api/_guard/session', { headers: refreshOnly(member) })).status).toBe(200)
    await waitFor('listener back', () => rawRequest('/api/_guard/health'), r => r.json().listener.state === 'connected')
  })
})

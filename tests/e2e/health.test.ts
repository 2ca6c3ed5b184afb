/**
 * The operator's side of a production deployment on embedded PGlite:
 * `GET /api/_guard/health` for load balancers (no sign-in, not cached, no
 * secrets), and one process per data directory — a second built server on
 * the same `NUXT_GUARD_DATA_DIR` exits non-zero naming the holder, and a
 * stopped server releases the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixturePaths, fixtureSetup, testSecret } from '../support/fixtures'
import { rawRequest } from '../support/http-client'

await setup(fixtureSetup('basic'))

describe('GET /api/_guard/health on PGlite', () => {
  it('answers 200 ok without sign-in: database latency, keys, listener; never cached', async () => {
    const response = await rawRequest('/api/_guard/health')
    expect(response.status).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    const body = response.json()
    expect(body).toEqual({
      status: 'ok',
      database: { ok: true, latencyMs: expect.any(Number) },
      keys: { ok: true },
      listener: { state: 'connected', since: expect.any(String), attempts: 0 },
    })
    expect(Number.isNaN(Date.parse(body.listener.since))).toBe(false)
  })

  it('is the same for a visitor with stale cookies (no auth work decides it)', async () => {
    const response = await rawRequest('/api/_guard/health', { headers: { cookie: 'guard_session=x.y.z; guard_refresh=nope' } })
    expect(response.status).toBe(200)
    expect(response.json().status).toBe('ok')
  })
})

interface Started { child: ChildProcess; output: () => string; exited: Promise<number | null> }

/** Starts the built basic fixture as production does; resolves once it printed `ready` or exited. */
async function startServer(dataDir: string, secret: string): Promise<Started> {
  const { outputDir } = fixturePaths('basic')
  const child = spawn(process.execPath, [`${outputDir}/server/index.mjs`], {
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', NUXT_GUARD_SECRET: secret, NUXT_GUARD_DATA_DIR: dataDir, NUXT_GUARD_DATABASE_URL: '', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  const until = Date.now() + 45_000
  while (!output.includes('[nuxt-guard] ready') && child.exitCode === null && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 100))
  return { child, output: () => output, exited }
}

describe('one production server per PGlite data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guard-lock-'))
  const secret = testSecret()
  const started: ChildProcess[] = []
  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('a second server on the same directory exits non-zero naming the holder; a stopped server releases it', async () => {
    const first = await startServer(dir, secret)
    started.push(first.child)
    expect(first.output()).toContain('[nuxt-guard] ready')
    const lockFile = join(dir, 'db', 'nuxt-guard.lock')
    expect(existsSync(lockFile)).toBe(true)

    const second = await startServer(dir, secret)
    started.push(second.child)
    const code = await Promise.race([second.exited, new Promise(resolve => setTimeout(() => resolve('still running'), 20_000))])
    expect(code, second.output()).not.toBe(0)
    expect(code, second.output()).not.toBe('still running')
    expect(second.output()).toContain(`in use by process ${first.child.pid}`)
    expect(second.output()).toContain('NUXT_GUARD_DATABASE_URL')
    expect(second.output()).not.toContain('[nuxt-guard] ready')
    expect(first.child.exitCode).toBeNull() // the holder is untouched

    // SIGTERM: Nitro's close hook awaits guard.close(), which releases the lock before the process ends.
    first.child.kill('SIGTERM')
    await first.exited
    expect(existsSync(lockFile)).toBe(false)
  }, 120_000)
})

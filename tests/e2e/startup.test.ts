import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixturePaths, fixtureSetup } from '../support/fixtures'
import { rawRequest } from '../support/http-client'

/** Starts the built basic fixture directly and collects what it prints until it exits (or 15 s pass). */
function runServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { outputDir } = fixturePaths('basic')
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${outputDir}/server/index.mjs`], {
      env: { ...process.env, NODE_ENV: 'production', PORT: '0', NUXT_GUARD_DATA_DIR: 'memory://', ...env },
    })
    let output = ''
    child.stdout.on('data', (chunk) => { output += chunk })
    child.stderr.on('data', (chunk) => { output += chunk })
    const timer = setTimeout(() => child.kill(), 15_000)
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output }) })
  })
}

describe('start-up in production', () => {
  it('refuses to start without NUXT_GUARD_SECRET and says how to make one', async () => {
    const { code, output } = await runServer({ NUXT_GUARD_SECRET: '' })
    expect(code).toBe(1)
    expect(output).toContain('NUXT_GUARD_SECRET is not set')
    expect(output).toContain("randomBytes(32).toString('base64url')")
  })

  it('refuses a secret shorter than 32 bytes', async () => {
    const { code, output } = await runServer({ NUXT_GUARD_SECRET: 'x'.repeat(31) })
    expect(code).toBe(1)
    expect(output).toContain('NUXT_GUARD_SECRET is 31 bytes; it needs at least 32')
  })
})

describe('fails closed when the database cannot be reached', async () => {
  await setup(fixtureSetup('basic', { NUXT_GUARD_DATABASE_URL: 'postgres://guard@127.0.0.1:9/unreachable' }))

  it('answers 503 on protected routes, never passes them through', async () => {
    const api = await rawRequest('/api/secret')
    expect(api.status).toBe(503)
    expect(api.json()).toMatchObject({ error: 'temporarily_unavailable' })
    expect(api.headers['retry-after']).toBe('5')
    const page = await rawRequest('/admin/secret', { headers: { cookie: 'guard_session=whatever; guard_refresh=whatever' } })
    expect(page.status).toBe(503)
    expect(page.body).not.toContain('TOP-SECRET')
  })

  it('keeps public and ignored routes up, judged by the seed config', async () => {
    expect((await rawRequest('/api/public/ping')).json()).toEqual({ pong: true, userId: null })
    expect((await rawRequest('/health')).status).toBe(200)
  })
})

/**
 * The links in emails never point where a forged `Host` says (real h3 app and
 * node:http server, real guard on PGlite): an attacker who asks for a reset
 * of the victim's account with `Host: evil.example` must not get the victim
 * an email whose link hands the code to evil.example. Without `baseUrl` the
 * request's origin is used only on a loopback address (development, these
 * tests); with it, always `baseUrl`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listOutboxMessages } from '../../modules/guard/runtime/core/store/outbox'
import { guardSettings } from '../../modules/guard/runtime/server/utils/guard-instance'
import { AppClient, startGuardApp, type GuardApp } from '../support/h3-app'

let app: GuardApp
const VICTIM = 'victim@email-links.test'

beforeAll(async () => {
  app = await startGuardApp()
  expect((await new AppClient(app.origin).signUp(VICTIM)).status).toBe(200)
}, 60_000)
afterAll(async () => { await app?.close() })

/** Asks for a reset of the victim's account from `host` and returns the email the victim gets. */
async function resetEmailVia(host: string): Promise<string> {
  const answer = await new AppClient(app.origin).send('/api/_guard/password-reset/request', {
    json: { email: VICTIM }, headers: { host, origin: `http://${host}` },
  })
  expect(answer.status).toBe(200)
  await new Promise(resolve => setTimeout(resolve, 50)) // the email leaves after the answer
  const [latest] = await listOutboxMessages(app.guard.db, { to: VICTIM, limit: 1 })
  return latest!.text
}

describe('emailed links', () => {
  it('a forged Host gets no link at all (the code alone, to type on the real site)', async () => {
    const text = await resetEmailVia('evil.example')
    expect(text).toMatch(/reset code is [A-Z0-9-]+/)
    expect(text).not.toContain('evil.example')
    expect(text).not.toMatch(/https?:\/\//)
  })

  it('a loopback address (development) links to itself', async () => {
    const host = new URL(app.origin).host // 127.0.0.1:<port>
    expect(await resetEmailVia(host)).toContain(`http://${host}/forgot-password?`)
  })

  it('with baseUrl, every link points at it whatever the Host', async () => {
    const settings = guardSettings()
    settings.baseUrl = 'https://app.example.test'
    try {
      const text = await resetEmailVia('evil.example')
      expect(text).toContain('https://app.example.test/forgot-password?')
      expect(text).not.toContain('evil.example')
    }
    finally { settings.baseUrl = '' }
  })
})

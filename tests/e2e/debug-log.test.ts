import { describe, expect, it } from 'vitest'
import { clearServerLogs, getServerLogs, setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'

// `debug: true` (here through NUXT_GUARD_DEBUG) logs one line per decision.
await setup({ ...fixtureSetup('basic', { NUXT_GUARD_DEBUG: 'true' }), captureServerLogs: true })

const decisionLines = () => getServerLogs().join('\n').split('\n').filter(line => line.includes('[nuxt-guard] GET'))

describe('debug: true', () => {
  it('logs method, path, verdict, rule and reason for each decision', async () => {
    const member = new CookieClient()
    await member.signUp('first@acme.test')
    await member.signUp('member@acme.test')
    clearServerLogs()
    await rawRequest('/api/secret')
    await member.send('/api/reports/summary')
    await new Promise(resolve => setTimeout(resolve, 200))
    const lines = decisionLines()
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContain('[nuxt-guard] GET /api/secret → 401 unauthenticated rule=- reason="not signed in"')
    expect(lines[1]).toContain('[nuxt-guard] GET /api/reports/summary → 403 forbidden rule=/api/reports/** reason="rule /api/reports/** needs the permission: reports:read"')
  })

  it('logs nothing for ignored routes, where the guard does no work', async () => {
    clearServerLogs()
    await rawRequest('/health')
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(decisionLines()).toHaveLength(0)
  })
})

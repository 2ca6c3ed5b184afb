import { describe, expect, it, beforeAll } from 'vitest'
import { setup, url } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { openWebSocket } from '../support/websocket-upgrade'

await setup(fixtureSetup('basic'))

const member = new CookieClient()
let origin: string
let cookie: string
beforeAll(async () => {
  await new CookieClient().signUp('first-admin@acme.test')
  expect((await member.signUp('member@acme.test')).status).toBe(200)
  origin = new URL(url('/')).origin
  cookie = member.cookieHeader
})

describe('WebSocket upgrades are judged like requests for their path', () => {
  it('refuses an anonymous upgrade of a protected path before the 101', async () => {
    const answer = await openWebSocket(origin, '/live')
    expect(answer.status).not.toBe(101)
    expect([302, 401]).toContain(answer.status)
    expect(answer.message).toBeUndefined()
  })

  it('refuses every other spelling of the protected path anonymously', async () => {
    for (const path of ['/%6cive', '/%6Cive', '/public/../live', '/public/%2e%2e/live', '//live', '/./live', '/live;x=1', '/LIVE', '/public\\..\\live', '/live/']) {
      const answer = await openWebSocket(origin, path)
      expect(answer.status, path).not.toBe(101)
      expect(answer.body ?? '', path).not.toContain('TOP-SECRET')
    }
    expect((await openWebSocket(origin, '/li%zzve')).status).toBe(400)
  })

  it('ignores request headers that try to make the guard skip the upgrade', async () => {
    const answer = await openWebSocket(origin, '/live', { 'x-middleware-subrequest': 'middleware', 'x-original-url': '/public/live', 'x-forwarded-for': '127.0.0.1' })
    expect(answer.status).not.toBe(101)
  })

  it('lets a signed-in same-origin client in, and the peer carries the same auth a handler sees', async () => {
    const answer = await openWebSocket(origin, '/live', { cookie, origin })
    expect(answer.status).toBe(101)
    expect(JSON.parse(answer.message!)).toEqual({ channel: 'TOP-SECRET live feed', userId: expect.stringMatching(/^user_/) })
  })

  it('refuses a cross-origin upgrade even with the victim\'s cookies (cross-site WebSocket hijacking)', async () => {
    const answer = await openWebSocket(origin, '/live', { cookie, origin: 'http://evil.example' })
    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body!)).toMatchObject({ error: 'cross_origin_request', error_description: expect.stringContaining('http://evil.example') })
    expect((await openWebSocket(origin, '/public/live', { origin: 'http://evil.example' })).status).toBe(403)
  })

  it('opens a public path to anyone same-origin, with no user on the peer', async () => {
    const answer = await openWebSocket(origin, '/public/live', { origin })
    expect(answer.status).toBe(101)
    expect(JSON.parse(answer.message!)).toEqual({ channel: 'public', userId: null })
  })

  it('refuses a session token with a forged signature (and no refresh cookie to fall back on)', async () => {
    const [name, token] = [...member.cookies].find(([cookieName]) => !cookieName.includes('refresh'))!
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(86)}`
    const answer = await openWebSocket(origin, '/live', { cookie: `${name}=${forged}`, origin })
    expect(answer.status).not.toBe(101)
    expect(answer.body ?? '').not.toContain('TOP-SECRET')
  })
})

/**
 * Over HTTPS (`cookieSecure`) the session cookies are `__Host-` cookies
 * (Secure, Path=/, no Domain), so a sibling subdomain cannot plant them, and
 * only those names are read; plain names on HTTP (development). An in-process
 * h3 app over a real socket.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, defineEventHandler, getQuery, toNodeListener } from 'h3'
import { clearSessionCookies, cookieNames, readCredentials, writeSessionCookies } from '../../modules/guard/runtime/server/utils/cookies'

let server: Server
let base = ''

beforeAll(async () => {
  const app = createApp()
  app.use('/write', defineEventHandler((event) => {
    const secure = getQuery(event).secure === '1'
    writeSessionCookies(event, { token: 'tok', refreshToken: 'ref', expiresAt: new Date(Date.now() + 3_600_000) }, secure)
    return 'ok'
  }))
  app.use('/clear', defineEventHandler((event) => {
    clearSessionCookies(event, getQuery(event).secure === '1')
    return 'ok'
  }))
  app.use('/read', defineEventHandler(event => readCredentials(event, getQuery(event).secure === '1')))
  server = createServer(toNodeListener(app))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise(resolve => server?.close(resolve)))

const setCookies = async (path: string) => (await fetch(`${base}${path}`)).headers.getSetCookie()

describe('session cookie names', () => {
  it('with Secure cookies: __Host- names, Secure, HttpOnly, Path=/ and no Domain', async () => {
    const cookies = await setCookies('/write?secure=1')
    expect(cookies.map(line => line.split('=')[0])).toEqual(['__Host-guard_session', '__Host-guard_refresh'])
    for (const line of cookies) {
      expect(line).toMatch(/; Secure/i)
      expect(line).toMatch(/; HttpOnly/i)
      expect(line).toMatch(/; Path=\/(;|$)/)
      expect(line).not.toMatch(/domain=/i)
      expect(line).toMatch(/SameSite=Lax/i)
    }
    expect((await setCookies('/clear?secure=1')).map(line => line.split('=')[0])).toEqual(['__Host-guard_session', '__Host-guard_refresh'])
  })

  it('over plain HTTP: the plain names, not Secure', async () => {
    const cookies = await setCookies('/write?secure=0')
    expect(cookies.map(line => line.split('=')[0])).toEqual(['guard_session', 'guard_refresh'])
    for (const line of cookies) expect(line).not.toMatch(/; Secure/i)
  })

  it('with Secure cookies only the __Host- names are read: cookies planted under the plain names (a sibling subdomain can set those) are ignored', async () => {
    const read = (cookie: string, secure: boolean) => fetch(`${base}/read?secure=${secure ? 1 : 0}`, { headers: { cookie } }).then(response => response.json())
    const planted = 'guard_session=planted; guard_refresh=planted'
    expect(await read(planted, true)).toEqual({ tokenSource: 'cookie' })
    expect(await read(`${planted}; __Host-guard_session=mine; __Host-guard_refresh=mine-too`, true)).toEqual({ token: 'mine', tokenSource: 'cookie', refreshToken: 'mine-too' })
    expect(await read(planted, false)).toEqual({ token: 'planted', tokenSource: 'cookie', refreshToken: 'planted' })
    expect(cookieNames(true)).toEqual({ session: '__Host-guard_session', refresh: '__Host-guard_refresh', device: '__Host-guard_device', known: '__Host-guard_known' })
  })
})

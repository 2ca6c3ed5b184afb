/**
 * No request makes the guard buffer a large body (real h3 app and node:http
 * server, real guard on PGlite). From the attacker's side, signed out: a
 * 50 MB sign-up used to be read, parsed and answered (the account created),
 * and three 200 MB ones took 2 GB of memory and stalled every other request.
 * Now a declared length over the limit is refused before a byte is read,
 * and a chunked body as soon as it passes the limit (413 `payload_too_large`).
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_BODY_LIMIT_BYTES, GUARD_BODY_LIMIT_BYTES } from '../../modules/guard/runtime/server/utils/body-limit'
import { startGuardApp, type GuardApp } from '../support/h3-app'

let app: GuardApp
const first = { client: undefined as ReturnType<GuardApp['client']> | undefined, signUp(email: string) { return (this.client ??= app.client()).signUp(email) } }
beforeAll(async () => { app = await startGuardApp() }, 60_000)
afterAll(async () => { await app?.close() })

/** POSTs `total` bytes of JSON to `path` in 64 KiB chunks, chunked unless `declare`; resolves with the answer and how many bytes went out before it. */
function post(path: string, total: number, { declare = false, cookie = '' } = {}): Promise<{ status: number; body: string; sent: number }> {
  const { hostname, port } = new URL(app.origin)
  const head = '{"email":"big@body-limit.test","password":"correct horse battery","pad":"'
  const tail = '"}'
  return new Promise((resolve, reject) => {
    let sent = 0
    const req = request({ hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', ...(declare ? { 'content-length': String(total) } : {}), ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode!, body, sent }))
    })
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)))
    const padding = total - head.length - tail.length
    const write = () => {
      if (req.destroyed) return
      if (sent === 0) { req.write(head); sent += head.length }
      const left = head.length + padding - sent
      if (left <= 0) { req.end(tail); sent += tail.length; return }
      const size = Math.min(64 * 1024, left)
      sent += size
      if (req.write('x'.repeat(size))) setImmediate(write)
      else req.once('drain', write)
    }
    write()
  })
}

describe('request bodies are read up to a limit', () => {
  it('a declared 50 MB sign-up is refused with 413 before its body is read; no account is made', async () => {
    const answer = await post('/api/_guard/sign-up', 50 * 1024 * 1024, { declare: true })
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'payload_too_large', limitBytes: GUARD_BODY_LIMIT_BYTES })
    expect(answer.sent).toBeLessThan(5 * 1024 * 1024)
    expect(await app.guard.db.query('select id from guard_users where email = $1', ['big@body-limit.test'])).toHaveLength(0)
  })

  it('a chunked body (no length) is refused as soon as it passes the limit, not after it is all sent', async () => {
    const answer = await post('/api/_guard/sign-in', 20 * 1024 * 1024)
    expect(answer.status).toBe(413)
    expect(answer.sent).toBeLessThan(10 * 1024 * 1024)
  })

  it('the server answers others while a large body is refused, and a normal sign-up right after works', async () => {
    const big = post('/api/_guard/sign-up', 30 * 1024 * 1024)
    const started = performance.now()
    expect((await app.request('/api/_guard/session')).status).toBe(401)
    expect(performance.now() - started).toBeLessThan(1_000)
    expect((await big).status).toBe(413)
    expect((await first.signUp('small@body-limit.test')).status).toBe(200) // the first account: the admin
  })

  it('an admin may send a larger body (a config with many rules), after the admin is checked; a signed-out one gets 401 first', async () => {
    expect(ADMIN_BODY_LIMIT_BYTES).toBeGreaterThan(GUARD_BODY_LIMIT_BYTES)
    const anonymous = await post('/api/_guard/admin/config/validate', 200 * 1024, { declare: true })
    expect(anonymous.status).toBe(401)
    const member = app.client()
    await member.signUp('member@body-limit.test')
    expect((await post('/api/_guard/admin/config/validate', 200 * 1024, { declare: true, cookie: member.cookieHeader })).status).toBe(403)
    const admin = await post('/api/_guard/admin/config/validate', 200 * 1024, { declare: true, cookie: first.client!.cookieHeader })
    expect([admin.status, admin.body.slice(0, 200)]).toEqual([422, expect.any(String)]) // read and judged (the padding is no config field), not 413
    expect(JSON.parse(admin.body).error).not.toBe('payload_too_large')
    expect((await post('/api/_guard/admin/config/validate', ADMIN_BODY_LIMIT_BYTES + 1, { declare: true, cookie: first.client!.cookieHeader })).status).toBe(413)
  })

  it('an empty chunked body is answered at once (422 naming the fields), not left waiting', async () => {
    const { hostname, port } = new URL(app.origin)
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ hostname, port, path: '/api/_guard/sign-in', method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => { body += chunk })
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.setTimeout(5_000, () => req.destroy(new Error('no answer in 5 s to an empty chunked body')))
      req.on('error', reject)
      req.end()
    })
    expect(answer.status).toBe(422)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request', field: 'email' })
  })
})

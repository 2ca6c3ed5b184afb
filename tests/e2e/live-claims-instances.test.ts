/**
 * Two built instances of the basic fixture on one PostgreSQL (issue 11): a
 * save through A is what the member's very next request through B is judged
 * by and answered with, claims and roles alike. Needs GUARD_TEST_DATABASE_URL
 * (skipped without it); each run uses a schema of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testSecret } from '../support/fixtures'
import { Browser, ok, startInstance, stopInstance, type Instance } from '../support/instances'
import { postgres } from '../support/backends'

const DATABASE_URL = process.env.GUARD_TEST_DATABASE_URL
const SAVES = 50
const ADMIN = '/api/_guard/admin'

describe.skipIf(!DATABASE_URL)('two built instances on PostgreSQL: live claims and roles', () => {
  const backend = postgres(DATABASE_URL ?? '')
  let a: Instance
  let b: Instance
  const admin = new Browser()
  const member = new Browser()
  let memberId: string

  beforeAll(async () => {
    const { url } = await backend.freshStore()
    const secret = testSecret()
    a = await startInstance(url!, secret)
    b = await startInstance(url!, secret) // one at a time: migrations and the first key are created once
    expect((await admin.send(a, '/api/_guard/sign-up', { json: { email: 'admin@two.test', password: 'correct horse battery' } })).status).toBe(200)
    await ok(member.send(b, '/api/_guard/sign-up', { json: { email: 'member@two.test', password: 'correct horse battery' } }))
    memberId = (await ok(member.send(b, '/api/_guard/session'))).userId
  }, 180_000)
  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)])
    await backend.cleanup()
  }, 30_000)

  it(`${SAVES} template saves through A, each followed at once by the member's cookie request through B: zero stale`, async () => {
    let { version, document } = await ok(admin.send(a, `${ADMIN}/config`))
    let stale = 0
    const misses: string[] = []
    for (let save = 1; save <= SAVES; save++) {
      const tier = save % 2 ? 'gold' : 'silver'
      ;({ version, document } = await ok(admin.send(a, `${ADMIN}/config`, { method: 'PUT', json: { version, document: { ...document, claims: { template: { ...document.claims.template, tier } } } } })))
      const session = await ok(member.send(b, '/api/_guard/session'))
      if (session.claims.tier !== tier) {
        stale++
        misses.push(`v${version}: ${String(session.claims.tier)}`)
      }
    }
    console.info(`[live-claims two instances] ${SAVES} saves through A, requests through B: ${stale} stale${misses.length ? `: ${misses.join('; ')}` : ''}`)
    expect(stale).toBe(0)
  })

  it('a role granted through A: the member’s next request through B is allowed; removed: the next one is refused', async () => {
    let { version, document } = await ok(admin.send(a, `${ADMIN}/config`))
    const rules = [...document.routes.rules, { pattern: '/api/secret', require: { roles: ['auditor'] } }]
    ;({ version, document } = await ok(admin.send(a, `${ADMIN}/config`, { method: 'PUT', json: { version, document: { ...document, routes: { ...document.routes, rules }, roles: { ...document.roles, auditor: [] } } } })))
    expect((await member.send(b, '/api/secret')).status).toBe(403)

    await ok(admin.send(a, `${ADMIN}/users/${memberId}/roles`, { method: 'PUT', json: { roles: ['member', 'auditor'] } }))
    const granted = await member.send(b, '/api/secret')
    expect(granted.status).toBe(200)
    expect((await ok(member.send(b, '/api/_guard/session'))).roles).toEqual(['member', 'auditor'])

    await ok(admin.send(a, `${ADMIN}/users/${memberId}/roles`, { method: 'PUT', json: { roles: ['member'] } }))
    const removed = await member.send(b, '/api/secret')
    expect(removed.status).toBe(403)
    expect(removed.json().error).toBe('forbidden')
  })

  it('public metadata set through A is in the member’s claims at the next request through B', async () => {
    await ok(admin.send(a, `${ADMIN}/users/${memberId}/metadata`, { method: 'PUT', json: { publicMetadata: { plan: 'enterprise' } } }))
    expect((await ok(member.send(b, '/api/_guard/session'))).claims.plan).toBe('enterprise')
  })
})

/**
 * Hot reload, zero stale: flip /public/** between public and protected 50
 * times through PUT /admin/config; the anonymous request sent right after
 * each save must be judged by the config that save returned, every time.
 * The same for a signed-in member: an admin-only rule added and removed, and
 * a claim value in the claims template alternated (issue 11).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'
import { ADMIN, okJson } from '../support/admin-api'

await setup(fixtureSetup('basic'))

const FLIPS = 50
const admin = new CookieClient()
const member = new CookieClient()

beforeAll(async () => {
  expect((await admin.signUp('admin@stale.test')).status).toBe(200)
  expect((await member.signUp('member@stale.test')).status).toBe(200)
})

describe('zero stale', () => {
  it(`${FLIPS} saves flipping /public/** between public and protected: the next request always follows the save`, async () => {
    let { version, document } = okJson(await admin.send(`${ADMIN}/config`))
    const base: string[] = document.routes.public.filter((pattern: string) => pattern !== '/public/**')
    let stale = 0
    const misses: string[] = []
    for (let flip = 1; flip <= FLIPS; flip++) {
      const makePublic = flip % 2 === 0
      const next = { ...document, routes: { ...document.routes, public: makePublic ? [...base, '/public/**'] : base } }
      const saved = okJson(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document: next } }))
      expect(saved.version).toBe(version + 1)
      ;({ version, document } = saved)
      const page = await rawRequest('/public/info')
      const api = await rawRequest('/api/public/ping')
      const judgedPublic = page.status === 200 && page.body.includes('PUBLIC-PAGE info')
      const judgedProtected = page.status === 302 && page.headers.location === '/sign-in?redirect_url=%2Fpublic%2Finfo'
      if (makePublic ? !judgedPublic : !judgedProtected) {
        stale++
        misses.push(`v${version} (${makePublic ? 'public' : 'protected'}): page ${page.status}`)
      }
      // /api/public/** is in the public list throughout: unaffected by the flip.
      expect(api.status).toBe(200)
    }
    console.info(`[zero-stale] ${FLIPS} saves, ${stale} stale ${stale === 1 ? 'answer' : 'answers'}${misses.length ? `: ${misses.join('; ')}` : ''}`)
    expect(stale).toBe(0)
    expect(version).toBe(1 + FLIPS)
  })

  it(`${FLIPS} saves adding and removing an admin-only rule on /api/secret: a signed-in member's next request follows each save`, async () => {
    let { version, document } = okJson(await admin.send(`${ADMIN}/config`))
    const base = document.routes.rules
    let stale = 0
    for (let flip = 1; flip <= FLIPS; flip++) {
      const adminOnly = flip % 2 === 1
      const rules = adminOnly ? [...base, { pattern: '/api/secret', require: { roles: ['admin'] } }] : base
      ;({ version, document } = okJson(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document: { ...document, routes: { ...document.routes, rules } } } })))
      // The member's token is cached and verified already: only the policy changed.
      const answer = await member.send('/api/secret')
      if (answer.status !== (adminOnly ? 403 : 200)) stale++
    }
    console.info(`[zero-stale] ${FLIPS} rule saves, ${stale} stale ${stale === 1 ? 'answer' : 'answers'} for a signed-in member`)
    expect(stale).toBe(0)
  })

  it(`${FLIPS} saves alternating a claim value in the template: the member's next request (cookie) carries the saved value`, async () => {
    let { version, document } = okJson(await admin.send(`${ADMIN}/config`))
    let stale = 0
    const misses: string[] = []
    for (let flip = 1; flip <= FLIPS; flip++) {
      const tier = flip % 2 ? 'gold' : 'silver'
      const template = { ...document.claims.template, tier }
      ;({ version, document } = okJson(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document: { ...document, claims: { template } } } })))
      // Judged and answered with the claims of the saved template: event.context.auth and GET /session.
      const session = okJson(await member.send('/api/_guard/session'))
      if (session.claims.tier !== tier) {
        stale++
        misses.push(`v${version}: ${String(session.claims.tier)}`)
      }
    }
    console.info(`[zero-stale] ${FLIPS} claims template saves, ${stale} stale ${stale === 1 ? 'claim' : 'claims'} for a signed-in member${misses.length ? `: ${misses.join('; ')}` : ''}`)
    expect(stale).toBe(0)
  })
})


/**
 * A page's own rule (issue 14.6, SuperTokens' `overrideGlobalClaimValidators` on the page side):
 * tests/fixtures/basic/pages/supertokens-totp.vue declares `definePageMeta({ guard: { mfa: false } })`
 * and shows "You need to complete TOTP before seeing this page" unless `useClaimValue('mfa')` has
 * `c.totp`; pages/staff-only.vue declares `{ guard: { roles: ['admin'] } }`. MFA is required for
 * everyone here (mfa.enforce 'all'). The server learned both rules from the pages at build time: it
 * judges the page's own request (SSR) and the client navigation's verdict by them, and nothing else.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { BASIC_SEED } from '../fixtures/basic/guard-seed'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient } from '../support/http-client'
import { appCode, challenge, enrollTotpOverHttp } from '../support/mfa-http'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ ...BASIC_SEED, mfa: { enforce: 'all' } }) }))

const MESSAGE = 'You need to complete TOTP before seeing this page'
const CONTENT = 'PROTECTED-PAGE supertokens-totp'
const ADMIN = 'ada@page-override.test'
const MEMBER = 'bob@page-override.test'

const verdict = (client: CookieClient, path: string) => client.send(`/api/_guard/verdict?path=${encodeURIComponent(path)}`).then(answer => answer.json())

let adminSecret: string
const member = new CookieClient()

beforeAll(async () => {
  const admin = new CookieClient()
  expect((await admin.signUp(ADMIN)).status).toBe(200) // the first account: admin
  ;({ secret: adminSecret } = await enrollTotpOverHttp(admin))
  expect((await member.signUp(MEMBER)).status).toBe(200)
})

describe('the waiver: definePageMeta({ guard: { mfa: false } })', () => {
  it('a signed-in user without a second factor gets the page rendered on the server, with the message', async () => {
    const page = await member.send('/supertokens-totp')
    expect(page.status, page.headers.location as string).toBe(200)
    expect(page.body).toContain(MESSAGE)
    expect(page.body).not.toContain(CONTENT)
  })

  it('a page without the waiver still sends the same user to set up MFA, and the API still refuses', async () => {
    const page = await member.send('/dashboard')
    expect([page.status, page.headers.location]).toEqual([302, '/account/manage-mfa/add?redirect_url=%2Fdashboard'])
    const api = await member.send('/api/secret')
    expect([api.status, api.json().error]).toEqual([403, 'mfa_enrollment_required'])
  })

  it('client navigation follows the same rule: the verdict allows the page and redirects for the other', async () => {
    expect(await verdict(member, '/supertokens-totp')).toMatchObject({ allow: true })
    expect(await verdict(member, '/dashboard')).toMatchObject({ allow: false, error: 'mfa_enrollment_required', redirect: '/account/manage-mfa/add?redirect_url=%2Fdashboard' })
  })

  it('does not open the page to signed-out visitors', async () => {
    const visitor = new CookieClient()
    const page = await visitor.send('/supertokens-totp')
    expect([page.status, page.headers.location]).toEqual([302, '/sign-in?redirect_url=%2Fsupertokens-totp'])
    expect(page.body).not.toContain(MESSAGE)
    expect(await verdict(visitor, '/supertokens-totp')).toMatchObject({ allow: false, error: 'unauthenticated' })
  })

  it('reaches no other path: dot segments, encodings and look-alikes of other pages keep the global requirement', async () => {
    for (const path of ['/supertokens-totp/../dashboard', '/supertokens-totp/%2e%2e/dashboard', '/supertokens-totp/x', '/supertokens-totp-x', '/api/secret;/supertokens-totp']) {
      const answer = await member.send(path)
      expect(answer.status, path).not.toBe(200)
      expect(answer.body, path).not.toContain('TOP-SECRET')
    }
  })

  it('the same page shows its content once TOTP is completed in the session', async () => {
    const enrolled = new CookieClient()
    await enrolled.signUp('cy@page-override.test')
    const { secret } = await enrollTotpOverHttp(enrolled)
    const after = await enrolled.send('/supertokens-totp')
    expect(after.status).toBe(200)
    expect(after.body).toContain(CONTENT)
    expect(after.body).not.toContain(MESSAGE)

    // A new session of the same user: enrolled, TOTP not completed yet → the message, while other pages send it to the challenge.
    // Signing in under mfa.enforce 'all' leads through the challenge whatever the destination; the waiver only opens the page.
    const laptop = new CookieClient()
    expect((await laptop.signIn('cy@page-override.test', undefined, '/supertokens-totp')).json().redirectTo).toBe('/mfa-challenge?redirect_url=%2Fsupertokens-totp')
    expect((await laptop.send('/supertokens-totp')).body).toContain(MESSAGE)
    expect((await laptop.send('/dashboard')).headers.location).toBe('/mfa-challenge?redirect_url=%2Fdashboard')
    const done = await challenge(laptop, { factor: 'totp', code: appCode(secret, 1) })
    expect(done.status, done.body).toBe(200)
    const page = await laptop.send('/supertokens-totp')
    expect(page.body).toContain(CONTENT)
    expect(page.body).not.toContain(MESSAGE)
  })
})

describe('a requirement: definePageMeta({ guard: { roles: [\'admin\'] } })', () => {
  it('refuses a member (403 page, and a refusal for client navigation)', async () => {
    const bob = new CookieClient()
    await bob.signIn(MEMBER)
    // Bob has no factor and MFA is global: the role is judged first, so the page is forbidden outright.
    const page = await bob.send('/staff-only')
    expect(page.status).toBe(403)
    expect(page.body).not.toContain('PROTECTED-PAGE staff-only')
    expect(await verdict(bob, '/staff-only')).toMatchObject({ allow: false, status: 403, error: 'forbidden' })
  })

  it('lets the admin in once the global MFA requirement is met too (the page adds to it, waives nothing)', async () => {
    const admin = new CookieClient()
    await admin.signIn(ADMIN)
    expect((await admin.send('/staff-only')).headers.location).toBe('/mfa-challenge?redirect_url=%2Fstaff-only')
    expect((await challenge(admin, { factor: 'totp', code: appCode(adminSecret, 1) })).status).toBe(200)
    const page = await admin.send('/staff-only')
    expect(page.status).toBe(200)
    expect(page.body).toContain('PROTECTED-PAGE staff-only')
  })
})

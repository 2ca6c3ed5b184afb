/**
 * While MFA is enforced, the console API demands a completed second factor
 * of the admin too: an admin who has not enrolled one is refused every
 * route with 403 mfa_enrollment_required, whatever the route would do.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { setup } from '@nuxt/test-utils/e2e'
import { fixtureSetup } from '../support/fixtures'
import { CookieClient, rawRequest } from '../support/http-client'
import { ADMIN, ADMIN_ROUTES, callRoute, expectError, okJson } from '../support/admin-api'
import { enrollTotp } from '../support/admin-mfa'

await setup(fixtureSetup('basic', { NUXT_GUARD_SEED: JSON.stringify({ mfa: { enforce: 'all' } }) }))

const admin = new CookieClient()
const member = new CookieClient()

beforeAll(async () => {
  expect((await admin.signUp('admin@mfa-enforced.test')).status).toBe(200)
  expect((await member.signUp('member@mfa-enforced.test')).status).toBe(200)
})

describe('console API with MFA enforced', () => {
  it.each(ADMIN_ROUTES.map(route => [`${route.method} ${route.path.replace(ADMIN, '')}`, route] as const))('%s: admin without a second factor 403, member 403, anonymous 401', async (_name, route) => {
    const refused = expectError(await callRoute(admin, route), 403, 'mfa_enrollment_required')
    expect(refused.error_description).toMatch(/enroll/i)
    expectError(await callRoute(member, route), 403, 'forbidden')
    expectError(await callRoute(new CookieClient(), route), 401, 'unauthenticated')
  })

  it('a refused save changes nothing, and the enrollment page stays open to the admin', async () => {
    // `{}` would reset the lists to the defaults, where /public/** is not public.
    expectError(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version: 1, document: {} } }), 403, 'mfa_enrollment_required')
    const page = await rawRequest('/public/info')
    expect([page.status, page.body.includes('PUBLIC-PAGE info')]).toEqual([200, true])
    // The guard lets the admin reach enrollment (the page itself is the console's, 404 in a fixture without it).
    const enroll = await admin.send('/account/manage-mfa/add')
    expect(enroll.status === 200 || enroll.status === 404, `status ${enroll.status}`).toBe(true)
    expect(enroll.headers.location).toBeUndefined()
  })

  it('once the admin enrolls and completes a second factor in this session, the console opens; a new session must complete it again', async () => {
    await enrollTotp(admin)
    const { version, document } = okJson(await admin.send(`${ADMIN}/config`))
    expect(okJson(await admin.send(`${ADMIN}/users`)).users[0]).toMatchObject({ email: 'admin@mfa-enforced.test', factors: expect.arrayContaining(['totp']) })
    expect(okJson(await admin.send(`${ADMIN}/config`, { method: 'PUT', json: { version, document } })).version).toBe(version + 1)

    const laptop = new CookieClient()
    await laptop.signIn('admin@mfa-enforced.test')
    const refused = expectError(await laptop.send(`${ADMIN}/config`), 403, 'INVALID_CLAIMS')
    expect(refused.claimValidationErrors[0].reason.factorId).toBe('totp')
  })
})


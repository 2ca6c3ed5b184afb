/**
 * `nuxt-guard/verify` from the packed tarball: another Node service (a plain
 * `node` script in consumer A's folder, resolving the package as a stranger's
 * would, no Nuxt started) verifies the running app's session token against
 * its GET /api/_guard/jwks.json, and refuses it for another authorized party.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import { APP_A, cleanEnv, startConsumer, type RunningConsumer } from '../support/consumer-app'
import { ConsumerClient } from '../support/consumer-http'

const run = promisify(execFile)

/** The service: imports the package's subpath and prints what verifyGuardToken says for each set of options. */
const SERVICE = `
const { verifyGuardToken } = await import('nuxt-guard/verify')
const [token, jwksUrl, party] = process.argv.slice(1)
const out = []
for (const authorizedParties of [[party], ['https://elsewhere.example']]) {
  try { out.push({ sub: (await verifyGuardToken(token, { jwksUrl, authorizedParties })).sub }) }
  catch (error) { out.push({ reason: error.reason }) }
}
console.log(JSON.stringify(out))
`

describe('consumer: nuxt-guard/verify in a plain Node service', () => {
  let app: RunningConsumer
  beforeAll(async () => { app = await startConsumer(APP_A) })
  afterAll(async () => { await app?.stop() })

  it('verifies the app\'s session token against its JWKS; another party is refused', async () => {
    const ada = new ConsumerClient(app.origin)
    const joined = await ada.signUp('ada@verify-subpath.test')
    expect(joined.status).toBe(200)
    const token = ada.cookies.get('guard_session') ?? ada.cookies.get('__Host-guard_session')
    expect(token).toBeTruthy()
    // In production cookies are Secure, so the origin the browser used is taken to be https (TLS ends at a proxy).
    const party = app.origin.replace(/^http:/, 'https:')
    expect(decodeJwt(token!).azp).toBe(party)
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SERVICE, token!, `${app.origin}/api/_guard/jwks.json`, party], { cwd: APP_A, env: cleanEnv() })
    expect(JSON.parse(stdout)).toEqual([{ sub: joined.json().userId }, { reason: 'token-invalid-authorized-parties' }])
  })
})

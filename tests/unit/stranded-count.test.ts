/**
 * The console's "this change strands N users": one SQL query over the
 * confirmed factors (never user by user), compared with the live switches,
 * and the sentence the MFA screen shows about what happens to them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeStranding } from '../../modules/guard/runtime/core/admin/stranding'
import type { FactorId } from '../../modules/guard/runtime/core/config/schema'
import { enrollableOn } from '../../modules/guard/runtime/core/mfa/stranded'
import { countStrandedUsers } from '../../modules/guard/runtime/core/store/factors'
import { startMfaEngine, type MfaEngine } from '../support/mfa-engine'

let engine: MfaEngine
beforeAll(async () => { engine = await startMfaEngine() }, 60_000)
afterAll(() => engine?.close())

const ON = { totp: true, recovery_code: true, email_code: true, webauthn: true }
const on = (change: Partial<typeof ON> = {}) => enrollableOn({ strategies: { ...ON, ...change } })

/** A user holding these confirmed factors (and a pending TOTP, which never counts), with or without unused recovery codes. */
async function user(email: string, factors: Exclude<FactorId, 'recovery_code'>[], { codes = false, pending = false } = {}) {
  const id = `usr_${email.split('@')[0]}`
  await engine.db.query('insert into guard_users (id, email, password_hash) values ($1, $2, $3)', [id, email, 'x'])
  for (const [i, type] of factors.entries()) {
    await engine.db.query('insert into guard_factors (id, user_id, type, confirmed_at) values ($1, $2, $3, now())', [`fac_${id}_${i}`, id, type])
  }
  if (pending) await engine.db.query('insert into guard_factors (id, user_id, type) values ($1, $2, $3)', [`fac_${id}_pending`, id, 'totp'])
  if (codes) await engine.db.query('insert into guard_recovery_codes (user_id, code_hash) values ($1, $2)', [id, 'h'])
}

beforeAll(async () => {
  await user('amy@x.test', ['email_code'], { codes: true })
  await user('bo@x.test', ['email_code'], { pending: true })
  await user('cy@x.test', ['email_code', 'totp'], { codes: true })
  await user('di@x.test', ['webauthn', 'email_code'])
  await user('ed@x.test', ['totp'])
  await user('fay@x.test', [])
})

describe('countStrandedUsers', () => {
  it('email codes off: the two whose only factor it is (a pending app does not count); not the one with an app, not the one with none', async () => {
    expect(await countStrandedUsers(engine.db, { after: on({ email_code: false }), before: on() })).toEqual({
      stranded: 2, newlyStranded: 2, withRecoveryCodes: 1,
      groups: [{ factors: ['email_code'], users: 2, newlyStranded: 2 }],
      sample: [{ id: 'usr_amy', email: 'amy@x.test' }, { id: 'usr_bo', email: 'bo@x.test' }],
    })
  })

  it('groups by the factors held; only those usable now count as newly stranded', async () => {
    const count = await countStrandedUsers(engine.db, { after: on({ email_code: false, webauthn: false }), before: on({ email_code: false }) })
    expect(count).toMatchObject({ stranded: 3, newlyStranded: 1, groups: [{ factors: ['email_code'], users: 2, newlyStranded: 0 }, { factors: ['email_code', 'webauthn'], users: 1, newlyStranded: 1 }] })
    expect(count.sample).toEqual([{ id: 'usr_di', email: 'di@x.test' }])
  })

  it('no change strands nobody', async () => {
    expect(await countStrandedUsers(engine.db, { after: on(), before: on() })).toEqual({ stranded: 0, newlyStranded: 0, withRecoveryCodes: 0, groups: [], sample: [] })
  })

  it('is one aggregate query (plus one for the sample), whatever the number of users', async () => {
    const seen: string[] = []
    const counting = { query: (sql: string, params?: unknown[]) => { seen.push(sql); return engine.db.query(sql, params) } }
    await countStrandedUsers(counting as never, { after: on({ email_code: false }), before: on() })
    expect(seen).toHaveLength(2)
    expect(seen[0]).toMatch(/group by f\.user_id[\s\S]*group by p\.types/)
  })
})

describe('describeStranding', () => {
  const mfa = { strategies: { ...ON, email_code: false }, enforce: 'all' as const, requirements: [{ oneOf: ['totp', 'webauthn'] as FactorId[] }] }

  it('says how many, which factors they hold, and what they will be asked to do on their next request', async () => {
    const impact = describeStranding(await countStrandedUsers(engine.db, { after: on({ email_code: false }), before: on() }), mfa)
    expect(impact).toMatchObject({ enroll: ['totp', 'webauthn'], when: 'next_request', newlyStranded: 2, headline: 'This change strands 2 users (2 whose only factor is Email code).' })
    expect(impact.summary).toBe(`${impact.headline} ${impact.consequence}`)
    expect(impact.summary).toBe('This change strands 2 users (2 whose only factor is Email code). On their next request they will be asked to confirm it is them with that switched-off factor (or a recovery code), then to set up Authenticator app or Passkey before they reach the app. The switched-off factor opens nothing else.')
  })

  it('under enforce "rules" and "off" says when; with nobody stranded says so', async () => {
    const count = await countStrandedUsers(engine.db, { after: on({ email_code: false }), before: on() })
    expect(describeStranding(count, { ...mfa, enforce: 'rules' }).summary).toMatch(/When they next open a route that needs a second factor they will be asked/)
    expect(describeStranding(count, { ...mfa, enforce: 'off' }).summary).toMatch(/MFA is not enforced, so nothing changes for them until it is/)
    const none = await countStrandedUsers(engine.db, { after: on(), before: on() })
    expect(describeStranding(none, mfa).summary).toBe('This change strands nobody: everyone who has a second factor keeps one that is switched on.')
  })

  it('names users already stranded apart from the ones this change strands', async () => {
    const count = await countStrandedUsers(engine.db, { after: on({ email_code: false, webauthn: false }), before: on({ email_code: false }) })
    expect(describeStranding(count, { ...mfa, strategies: { ...ON, email_code: false, webauthn: false } }).summary)
      .toMatch(/^This change strands 1 user \(1 whose only factors are Email code and Passkey\), and 2 more users already are\. On their next request/)
  })
})

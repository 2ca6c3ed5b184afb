/**
 * The console's save as one core operation (core/admin/save.ts): validated
 * and compiled once, the version and its audit entry in one transaction, the
 * compiled candidate live before it returns, and no row read twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import type { GuardDatabase, SqlExecutor } from '../../modules/guard/runtime/core/store/db/database'
import { saveConfig, type ConfigSave } from '../../modules/guard/runtime/core/admin/save'
import { GuardError } from '../../modules/guard/runtime/core/errors'
import { compilePolicy } from '../../modules/guard/runtime/core/policy/compile'
import { validateConfig } from '../../modules/guard/runtime/core/config/validate'
import { listAudit } from '../../modules/guard/runtime/core/store/audit'
import { listConfigVersions } from '../../modules/guard/runtime/core/store/config-versions'
import { pglite } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, newEmail, rejectionOf, startEngine, stopEngine } from '../support/engine'

vi.mock('../../modules/guard/runtime/core/config/validate', async original => {
  const actual = await original<typeof import('../../modules/guard/runtime/core/config/validate')>()
  return { ...actual, validateConfig: vi.fn(actual.validateConfig) }
})
vi.mock('../../modules/guard/runtime/core/policy/compile', async original => {
  const actual = await original<typeof import('../../modules/guard/runtime/core/policy/compile')>()
  return { ...actual, compilePolicy: vi.fn(actual.compilePolicy) }
})

const backend = pglite()
const clock = fakeClock()
let db: GuardDatabase
let guard: Guard
let adminId: string
/** Statements on guard_config_versions / guard_audit, in order; `tx:` = inside a transaction. */
const statements: string[] = []
let failAudit = false

function spy(executor: SqlExecutor, prefix: string): SqlExecutor['query'] {
  const query = executor.query.bind(executor)
  return (sql, params) => {
    if (/guard_config_versions|guard_audit/.test(sql)) statements.push(`${prefix}${sql.replace(/\s+/g, ' ').trim().slice(0, 60)}`)
    if (failAudit && sql.includes('insert into guard_audit')) return Promise.reject(new Error('audit write failed'))
    return query(sql, params)
  }
}

const save = (change: Record<string, unknown>, more: Partial<ConfigSave> = {}) => saveConfig(guard, {
  document: { ...guard.live.policy.config, ...change },
  expectedVersion: guard.live.policy.version,
  action: 'config.save', note: 'saved in the admin console',
  actor: { userId: adminId, ip: '203.0.113.9' }, consolePath: '/admin',
  ...more,
})

beforeAll(async () => {
  ({ db, guard } = await startEngine(backend, clock.now))
  adminId = (await guard.sessions.signUp({ email: newEmail('admin'), password: PASSWORD })).user.id
  db.query = spy(db, '')
  const transaction = db.transaction.bind(db)
  db.transaction = work => transaction(tx => work({ query: spy(tx, 'tx:') }))
}, 60_000)
afterAll(() => stopEngine(backend, { guard, db }), 30_000)
beforeEach(() => {
  statements.length = 0
  failAudit = false
  vi.mocked(validateConfig).mockClear()
  vi.mocked(compilePolicy).mockClear()
})

describe('saveConfig', () => {
  it('validates and compiles once, writes the version and its audit entry in one transaction, reads nothing twice', async () => {
    const before = guard.live.policy
    const saved = await save({ afterSignInUrl: '/home' })
    expect(vi.mocked(validateConfig)).toHaveBeenCalledTimes(1)
    expect(vi.mocked(compilePolicy)).toHaveBeenCalledTimes(1)
    expect(statements.map(sql => sql.split(' ').slice(0, 2).join(' '))).toEqual(['tx:select version,', 'tx:insert into', 'tx:insert into'])
    expect(saved).toEqual({ version: before.version + 1, document: expect.objectContaining({ afterSignInUrl: '/home' }), effect: expect.objectContaining({ when: 'next_request' }) })
    expect(guard.live.policy.version).toBe(saved.version)
    expect(guard.live.policy.config.afterSignInUrl).toBe('/home')
    const [entry] = (await listAudit(db, { limit: 1 })).entries
    expect(entry).toMatchObject({
      actorId: adminId, action: 'config.save', target: `config:v${saved.version}`, ip: '203.0.113.9',
      before: { version: before.version, document: expect.objectContaining({ afterSignInUrl: before.config.afterSignInUrl }) },
      after: { version: saved.version, note: 'saved in the admin console', document: expect.objectContaining({ afterSignInUrl: '/home' }) },
    })
  })

  it('says which lifetimes apply only to what is issued from now on', async () => {
    const { session } = guard.live.policy.config
    const saved = await save({ session: { ...session, tokenTtlSeconds: session.tokenTtlSeconds + 30 } })
    expect(saved.effect).toMatchObject({ when: 'partly_from_now', later: [{ path: 'session.tokenTtlSeconds', when: 'from_now' }] })
  })

  it('a stale version: 409 stale_version with the current version and document, from the append\'s own read', async () => {
    const live = guard.live.policy
    const error = await rejectionOf(save({ afterSignInUrl: '/stale' }, { expectedVersion: live.version - 1 }))
    expect(error).toBeInstanceOf(GuardError)
    expect(error).toMatchObject({ code: 'stale_version', status: 409, details: { currentVersion: live.version, current: expect.objectContaining({ afterSignInUrl: live.config.afterSignInUrl }) } })
    expect(statements).toEqual([expect.stringMatching(/^tx:select version,/)])
    expect(guard.live.policy).toBe(live)
  })

  it('an invalid or unsafe document: 422 with the fields, nothing written', async () => {
    const live = guard.live.policy
    const invalid = await rejectionOf(save({ routes: { ...live.config.routes, public: ['/users/:id'] } }))
    expect(invalid).toMatchObject({ code: 'invalid_config', status: 422, details: { fields: [expect.objectContaining({ path: 'routes.public.0' })] } })
    const locked = { routes: { ...live.config.routes, rules: [{ pattern: '/ops/**', require: { roles: ['ops'] } }] } }
    expect(await save(locked, { consolePath: '/admin' })).toMatchObject({ version: live.version + 1 })
    const unsafe = await rejectionOf(save(locked, { consolePath: '/ops/guard' }))
    expect(unsafe).toMatchObject({ code: 'unsafe_config', status: 422, details: { fields: [expect.objectContaining({ message: expect.stringContaining('GET /ops/guard') })] } })
  })

  it('when the audit entry cannot be written, the version is not saved either', async () => {
    const live = guard.live.policy
    const history = await listConfigVersions(db)
    failAudit = true
    expect(await rejectionOf(save({ afterSignInUrl: '/unaudited' }))).toMatchObject({ message: 'audit write failed' })
    expect(await listConfigVersions(db)).toEqual(history)
    expect(guard.live.policy).toBe(live)
  })
})

/**
 * Deleting an account (core/account/delete-user.ts, delete-account.ts)
 * against PGlite: every guard_* table the migrations create is named in
 * ACCOUNT_ERASURE_PLAN (a new table fails here until someone decides what
 * deletion does to it), each cascade the plan relies on exists, and after
 * a deletion no row of any table mentions the user's id, address, address
 * hashes or sessions (but the ids the plan keeps on purpose). From the
 * attacker's side: the deleted user's token is refused at its next request,
 * its refresh secret and password are dead, the last admin cannot delete
 * themselves, and self-deletion needs the typed address and a fresh second
 * factor (or, without one, the password, counted like a sign-in).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_ERASURE_PLAN, DELETED_EMAIL_PLACEHOLDER } from '../../modules/guard/runtime/core/account/erase-user'
import { deleteUser } from '../../modules/guard/runtime/core/account/delete-user'
import { deleteOwnAccount, type DeleteOwnAccountInput } from '../../modules/guard/runtime/core/account/delete-account'
import { RECENT_FACTOR_MAX_AGE_SECONDS } from '../../modules/guard/runtime/core/account/recent-factor'
import { saveConfig } from '../../modules/guard/runtime/core/admin/save'
import { sha256 } from '../../modules/guard/runtime/core/crypto/random'
import { createGuard } from '../../modules/guard/runtime/core/engine/create-guard'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { requestPasswordReset } from '../../modules/guard/runtime/core/password-reset/request'
import { writeAudit } from '../../modules/guard/runtime/core/store/audit'
import { openDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { insertEmailCode } from '../../modules/guard/runtime/core/store/email-codes'
import { hitRateLimit } from '../../modules/guard/runtime/core/store/rate-limits'
import { saveReenrollProof } from '../../modules/guard/runtime/core/store/reenroll-proofs'
import { insertRememberedDevice } from '../../modules/guard/runtime/core/store/remembered-devices'
import { setUserRoles } from '../../modules/guard/runtime/core/store/users'
import { findOrganization, insertOrganization } from '../../modules/guard/runtime/core/store/organizations'
import { insertOrgMembership } from '../../modules/guard/runtime/core/store/org-memberships'
import { saveWebauthnChallenge } from '../../modules/guard/runtime/core/store/webauthn-challenges'
import { listOutboxMessages } from '../../modules/guard/runtime/core/store/outbox'
import { rejectionOf } from '../support/engine'
import { fakeClock } from '../support/fake-clock'
import { enrollTotp, newUser, signInAgain, type MfaEngine } from '../support/mfa-engine'

/** A guard whose mail goes to the outbox table, as in development: the outbox is one of the tables checked. */
let engine: MfaEngine
let keeper: Awaited<ReturnType<typeof newUser>>
beforeAll(async () => {
  const clock = fakeClock()
  const db = await openDatabase({ dataDir: 'memory://' })
  const secret = randomBytes(32).toString('base64url')
  const guard = await createGuard({ database: db, secret, seed: {}, now: clock.now })
  engine = { guard, db, clock, mail: [], secret, close: async () => { await guard.close(); await db.close() } }
  keeper = await newUser(engine, 'keeper') // the first user: the admin
}, 60_000)
afterAll(async () => { await engine?.close() })

let ip = 0
const client = () => `10.2.0.${++ip}`
const outboxTo = (email: string) => listOutboxMessages(engine.db, { to: email, limit: 100 })
const signsIn = (email: string, password = 'password-123') => engine.guard.sessions.signIn({ email, password }).then(() => true, () => false)
const deleteOwn = (user: { userId: string; sessionId: string; email: string }, input: Partial<DeleteOwnAccountInput> = {}) =>
  deleteOwnAccount(engine.guard, { confirmEmail: user.email, currentPassword: 'password-123', ip: client(), ...user, ...input })

/** The guard_* tables of this database, from information_schema. */
async function guardTables(): Promise<string[]> {
  const rows = await engine.db.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = current_schema() and table_name like 'guard\\_%' order by table_name`,
  )
  return rows.map(row => row.table_name)
}

describe('the erasure plan', () => {
  it('names every guard_* table the migrations create, and no other', async () => {
    expect(await guardTables()).toEqual(Object.keys(ACCOUNT_ERASURE_PLAN).sort())
  })

  it('relies only on references that exist: each cascade (or set-null) table references guard_users or guard_sessions so', async () => {
    const rows = await engine.db.query<{ table_name: string; referenced: string; delete_rule: string }>(
      `select tc.table_name, ccu.table_name as referenced, rc.delete_rule
         from information_schema.table_constraints tc
         join information_schema.referential_constraints rc on rc.constraint_name = tc.constraint_name and rc.constraint_schema = tc.constraint_schema
         join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
        where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`,
    )
    for (const [table, erasure] of Object.entries(ACCOUNT_ERASURE_PLAN)) {
      if (erasure.kind !== 'cascade' && erasure.kind !== 'set-null') continue
      const rule = erasure.kind === 'cascade' ? 'CASCADE' : 'SET NULL'
      const found = rows.filter(row => row.table_name === table && row.delete_rule === rule && ['guard_users', 'guard_sessions'].includes(row.referenced))
      expect(found.length, `${table} has no ON DELETE ${rule} to guard_users or guard_sessions`).toBeGreaterThan(0)
    }
  })
})

describe('deleting an account', () => {
  it('leaves no row of any guard_* table mentioning the user, but the ids kept on purpose; the audit log says it happened', async () => {
    const user = await newUser(engine, 'erase')
    const email = user.email
    const other = await signInAgain(engine, email)
    const now = () => engine.guard.mfa.nowDate()
    const later = () => new Date(engine.clock.now() + 600_000)
    // Something in every table that can hold a user's data.
    await engine.guard.sessions.signIn({ email, password: 'wrong password' }, { ip: client() }).catch(() => {})
    const { issued } = await enrollTotp(engine, user)
    await completeChallenge(engine.guard.mfa, { userId: user.userId, sessionId: other.sessionId, factor: 'totp', code: '000000' }).catch(() => {})
    await hitRateLimit(engine.db, `email-send:${user.userId}`, { limit: 5, windowSeconds: 900, blockSeconds: 900 }, now())
    await insertEmailCode(engine.db, { id: 'ec_erase', userId: user.userId, purpose: 'challenge', codeHash: 'x', now: now(), expiresAt: later() })
    await insertRememberedDevice(engine.db, { id: 'rd_erase', userId: user.userId, factor: 'totp', tokenHash: `rd-${user.userId}`, now: now(), expiresAt: later(), userAgent: 'Test' })
    await saveWebauthnChallenge(engine.db, other.sessionId, 'authenticate', 'challenge-erase', later())
    await saveReenrollProof(engine.db, { sessionId: other.sessionId, userId: user.userId, factor: 'totp', provedAt: now(), expiresAt: later() })
    await (await requestPasswordReset(engine.guard, { email, ip: client() })).delivery
    await engine.db.query(`insert into guard_email_verifications (id, user_id, email, purpose, code_hash, created_at, expires_at) values ('ev_erase', $1, $2, 'change', 'x', $3, $4)`,
      [user.userId, `new-${email}`, now().toISOString(), later().toISOString()])
    await engine.db.query(`insert into guard_invitations (id, email, token_hash, roles, invited_by, created_at, expires_at, accepted_at, accepted_user_id)
      values ('inv_accepted', $1, 'th-accepted', '["member"]', $2, $3, $4, $3, $5), ('inv_sent', 'friend@example.test', 'th-sent', '["member"]', $5, $3, $4, null, null)`,
    [email.toUpperCase(), keeper.userId, now().toISOString(), later().toISOString(), user.userId])
    await writeAudit(engine.db, { actorId: keeper.userId, action: 'user.roles_changed', target: user.userId, before: { email: email.toUpperCase(), roles: ['member'] }, after: { note: `changed ${email} by hand` } })
    await engine.db.query(`insert into guard_organizations (id, name, slug, created_by, created_at, updated_at) values ('org_erase', 'Erase Inc', 'erase-inc', $1, $2, $2)`, [user.userId, now().toISOString()])
    await engine.db.query(`insert into guard_org_memberships (org_id, user_id, role, created_at) values ('org_erase', $1, 'org:admin', $2), ('org_erase', $3, 'org:admin', $2)`, [user.userId, now().toISOString(), keeper.userId])
    await engine.db.query(`insert into guard_org_invitations (id, org_id, email, role, token_hash, invited_by, created_at, expires_at) values
      ('oinv_to', 'org_erase', $1, 'org:member', 'oth-to', $2, $3, $4), ('oinv_sent', 'org_erase', 'friend@example.test', 'org:member', 'oth-sent', $5, $3, $4)`,
    [email, keeper.userId, now().toISOString(), later().toISOString(), user.userId])
    await saveConfig(engine.guard, { document: engine.guard.live.policy.config, expectedVersion: engine.guard.live.policy.version, action: 'config.save', note: 'by the user', actor: { userId: user.userId, ip: null }, consolePath: '' })
    const hashes = [sha256(email.toLowerCase()), engine.guard.throttle.accountKey(email)]
    const counts = async () => Object.fromEntries(await Promise.all((await guardTables()).map(async table => [table, (await engine.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n])))
    const mentions = async () => {
      const found: string[] = []
      for (const table of await guardTables()) {
        for (const { row } of await engine.db.query<{ row: Record<string, unknown> }>(`select row_to_json(t) as row from ${table} t`)) {
          const text = JSON.stringify(row).toLowerCase()
          for (const needle of [user.userId, email, ...hashes, user.sessionId, other.sessionId]) if (text.includes(needle.toLowerCase())) found.push(`${table}: ${needle === email ? 'email' : needle}`)
        }
      }
      return [...new Set(found)].sort()
    }
    expect((await mentions()).map(found => found.split(':')[0])).toEqual(expect.arrayContaining(Object.entries(ACCOUNT_ERASURE_PLAN).filter(([, e]) => e.kind !== 'none').map(([table]) => table)))
    const before = await counts()

    const deleted = await deleteOwn(user, { tokenFactors: issued.claims.mfa?.c })
    await deleted.delivery
    expect([deleted.email, deleted.revokedSessions]).toEqual([email, 2])

    // What stays: ids in the audit log's actor/target columns and config history's created_by; the goodbye mail in the outbox.
    const after = await engine.db.query<{ row: Record<string, unknown> }>(`select row_to_json(t) as row from guard_audit t where actor_id = $1 or target = $1`, [user.userId])
    for (const { row } of after) expect(JSON.stringify({ ...row, actor_id: null, target: null })).not.toContain(user.userId)
    const [version] = await engine.db.query<{ created_by: string }>('select created_by from guard_config_versions where created_by = $1', [user.userId])
    expect(version).toBeDefined()
    const goodbye = await outboxTo(email)
    expect(goodbye.map(m => m.subject)).toEqual(['Your account was deleted'])
    expect(await mentions()).toEqual([`guard_audit: ${user.userId}`, `guard_config_versions: ${user.userId}`, 'guard_outbox: email'])
    const [goodbyeRow] = await engine.db.query<{ n: number }>('select count(*)::int as n from guard_outbox where lower(to_address) = lower($1)', [email])
    expect(goodbyeRow!.n).toBe(1)

    // The audit log: the address replaced where it was, a lookalike address untouched, the deletion recorded without it.
    const log = await engine.db.query<{ action: string; actor_id: string | null; before: any; after: any }>('select action, actor_id, before, after from guard_audit where target = $1 order by id', [user.userId])
    expect(log.find(entry => entry.action === 'user.sign_up')?.after.email).toBe(DELETED_EMAIL_PLACEHOLDER)
    expect(log.find(entry => entry.action === 'user.roles_changed')).toMatchObject({
      before: { email: DELETED_EMAIL_PLACEHOLDER }, after: { note: `changed ${DELETED_EMAIL_PLACEHOLDER} by hand` },
    })
    expect(log.at(-1)).toMatchObject({ action: 'user.deleted', actor_id: user.userId, after: { by: 'self', revokedSessions: 2 } })
    // The invitation it sent stays valid, without its inviter; the keeper's rows are untouched.
    expect(await engine.db.query('select id, invited_by from guard_invitations where id = $1', ['inv_sent'])).toEqual([{ id: 'inv_sent', invited_by: null }])
    expect(await engine.db.query('select id, invited_by from guard_org_invitations order by id')).toEqual([{ id: 'oinv_sent', invited_by: null }])
    expect(await engine.db.query(`select id, created_by from guard_organizations where id = 'org_erase'`)).toEqual([{ id: 'org_erase', created_by: null }])
    const remaining = await counts()
    expect(remaining.guard_users).toBe(before.guard_users - 1)
    expect(await signsIn(keeper.email)).toBe(true)
  })

  it('anonymises only the whole address in the audit log: a longer address that contains it stays', async () => {
    const user = await newUser(engine, 'look')
    const lookalikes = [`x${user.email}`, `${user.email}.uk`, `a.${user.email}`]
    await writeAudit(engine.db, { actorId: keeper.userId, action: 'test.lookalike', target: lookalikes[0], after: { lookalikes, exact: user.email.toUpperCase(), text: `to ${user.email}.` } })
    await deleteOwn(user)
    const [entry] = await engine.db.query<{ target: string; after: unknown }>(`select target, after from guard_audit where action = 'test.lookalike'`)
    expect(entry).toEqual({ target: lookalikes[0], after: { lookalikes, exact: DELETED_EMAIL_PLACEHOLDER, text: `to ${DELETED_EMAIL_PLACEHOLDER}.` } })
  })

  it('refuses the old token at its next request, and its refresh secret and password for good', async () => {
    const user = await newUser(engine, 'gone')
    const { authenticator } = engine.guard
    expect((await authenticator.authenticate({ token: user.issued.token })).status).toBe('signed-in')
    await deleteOwn(user)
    expect(authenticator.fromCache(user.issued.token)).toBeUndefined()
    expect((await authenticator.authenticate({ token: user.issued.token, refreshToken: user.issued.refreshToken })).status).toBe('signed-out')
    expect(await engine.guard.sessions.refresh(user.issued.refreshToken)).toBeUndefined()
    expect(await signsIn(user.email)).toBe(false)
    expect(await rejectionOf(engine.guard.sessions.signIn({ email: user.email, password: 'password-123' }))).toMatchObject({ code: 'invalid_credentials' })
    // The address is free again: a new account with it is someone new.
    const again = await engine.guard.sessions.signUp({ email: user.email, password: 'password-123' })
    expect(again.user.id).not.toBe(user.userId)
  })

  it('refuses the last admin who can sign in, and deletes nothing', async () => {
    expect(await rejectionOf(deleteOwn(keeper))).toMatchObject({ code: 'last_admin', status: 409 })
    const second = await newUser(engine, 'second-admin')
    await setUserRoles(engine.db, second.userId, ['admin'])
    await engine.db.query('update guard_users set disabled_at = $2 where id = $1', [second.userId, engine.guard.mfa.nowDate().toISOString()])
    // A disabled admin cannot keep the console reachable.
    expect(await rejectionOf(deleteUser(engine.guard, keeper.userId, { actorId: second.userId, by: 'admin' }))).toMatchObject({ code: 'last_admin' })
    expect(await engine.guard.sessions.refresh(keeper.issued.refreshToken)).toBeDefined()
    expect(await signsIn(keeper.email)).toBe(true)
    await engine.db.query('update guard_users set disabled_at = null where id = $1', [second.userId])
    // With another admin it goes through; the other admin is now the last one.
    const gone = await deleteUser(engine.guard, second.userId, { actorId: keeper.userId, ip: '203.0.113.7', by: 'admin' })
    await gone.delivery
    expect((await outboxTo(second.email)).map(m => m.text)).toEqual([expect.stringContaining('deleted by an administrator')])
    const [entry] = await engine.db.query<{ actor_id: string; ip: string; after: unknown }>(`select actor_id, ip, after from guard_audit where action = 'user.deleted' and target = $1`, [second.userId])
    expect(entry).toEqual({ actor_id: keeper.userId, ip: '203.0.113.7', after: { by: 'admin', revokedSessions: 1 } })
    expect(await rejectionOf(deleteUser(engine.guard, second.userId, { actorId: keeper.userId, by: 'admin' }))).toMatchObject({ code: 'user_not_found', status: 404 })
  })

  it('refuses the last org:admin of an organization with other members, naming it; an organization with no one else goes with the account', async () => {
    const owner = await newUser(engine, 'org-owner')
    const member = await newUser(engine, 'org-member')
    const now = engine.guard.mfa.nowDate()
    await insertOrganization(engine.db, { id: 'org_shared', name: 'Shared Co', slug: 'shared-co', createdBy: owner.userId, now })
    await insertOrganization(engine.db, { id: 'org_solo', name: 'Solo Co', slug: 'solo-co', createdBy: owner.userId, now })
    await insertOrgMembership(engine.db, { orgId: 'org_shared', userId: owner.userId, role: 'org:admin', now })
    await insertOrgMembership(engine.db, { orgId: 'org_shared', userId: member.userId, role: 'org:member', now })
    await insertOrgMembership(engine.db, { orgId: 'org_solo', userId: owner.userId, role: 'org:admin', now })

    const refused = await rejectionOf(deleteOwn(owner))
    expect(refused).toMatchObject({ code: 'last_org_admin', status: 409, details: { organizations: ['org_shared'] } })
    expect(refused.message).toContain('Shared Co')
    expect(await signsIn(owner.email)).toBe(true) // nothing was deleted
    expect(await findOrganization(engine.db, 'org_solo')).toBeDefined()

    await insertOrgMembership(engine.db, { orgId: 'org_shared', userId: member.userId, role: 'org:admin', now }).catch(() => {})
    await engine.db.query(`update guard_org_memberships set role = 'org:admin' where org_id = 'org_shared' and user_id = $1`, [member.userId])
    await deleteOwn(owner)
    expect(await findOrganization(engine.db, 'org_solo')).toBeUndefined()
    expect(await findOrganization(engine.db, 'org_shared')).toMatchObject({ id: 'org_shared' })
  })

  describe('of one\'s own account', () => {
    it('needs the address typed exactly and, without a second factor, the current password (counted like a sign-in)', async () => {
      const user = await newUser(engine, 'confirm')
      expect(await rejectionOf(deleteOwn(user, { confirmEmail: `x${user.email}` }))).toMatchObject({ code: 'invalid_request', details: { field: 'confirmEmail' } })
      expect(await rejectionOf(deleteOwn(user, { currentPassword: undefined }))).toMatchObject({ code: 'invalid_request', details: { field: 'currentPassword' } })
      expect(await rejectionOf(deleteOwn(user, { currentPassword: 'not-it' }))).toMatchObject({ code: 'incorrect_password', status: 422 })
      const [failures] = await engine.db.query<{ n: number }>('select count(*)::int as n from guard_sign_in_failures where account = $1', [engine.guard.throttle.accountKey(user.email)])
      expect(failures!.n).toBe(1)
      expect(await signsIn(user.email)).toBe(true)
      await deleteOwn(user, { confirmEmail: `  ${user.email.toUpperCase()} ` })
      expect(await signsIn(user.email)).toBe(false)
    })

    it('with a second factor, needs one completed in the last 10 minutes (the password does not replace it)', async () => {
      const user = await newUser(engine, 'factor')
      const { secret, issued } = await enrollTotp(engine, user)
      engine.clock.advance((RECENT_FACTOR_MAX_AGE_SECONDS + 1) * 1000)
      const stale = await rejectionOf(deleteOwn(user, { tokenFactors: issued.claims.mfa?.c }))
      expect(stale).toMatchObject({ code: 'mfa_required', status: 403, details: { mfa_requirements: { challenge: [{ type: 'totp' }, { type: 'recovery_code' }] } } })
      expect(await signsIn(user.email)).toBe(true)
      const stepped = await completeChallenge(engine.guard.mfa, {
        userId: user.userId, sessionId: user.sessionId, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()), mfaToken: (stale as { details: { mfa_token: string } }).details.mfa_token,
      })
      await deleteOwn(user, { currentPassword: undefined, tokenFactors: stepped.claims.mfa?.c })
      expect(await signsIn(user.email)).toBe(false)
    })
  })
})

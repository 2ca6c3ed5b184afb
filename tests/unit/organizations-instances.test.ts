/**
 * A removed member, on every instance: the removal is made through instance
 * A; the member's very next request through instance B is re-minted (their
 * token is stale there too), their session has no active organization, and
 * every organization call through B is refused, and so is the next request
 * to a route whose rule needs the organization (judged by B's policy from
 * the re-minted token). Runs once per backend; on PostgreSQL B is a real
 * second connection (LISTEN/NOTIFY).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import type { Mailer, MailMessage } from '../../modules/guard/runtime/core/mail/mailer'
import type { DatabaseOptions, GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { createOrganization, getOrganization } from '../../modules/guard/runtime/core/organizations/organizations'
import { inviteToOrganization } from '../../modules/guard/runtime/core/organizations/invitations'
import { acceptOrgInvitationToken } from '../../modules/guard/runtime/core/organizations/accept'
import { removeMember } from '../../modules/guard/runtime/core/organizations/members'
import { activeOrgClaims, setActiveOrganization } from '../../modules/guard/runtime/core/organizations/active'
import { openDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { testBackends } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, SECRET, closeWithin, eventually, newEmail } from '../support/engine'
import { evaluateAccess } from '../../modules/guard/runtime/core/policy/decide'
import { pathReadings } from '../../modules/guard/runtime/core/paths/canonicalize'
import type { GuardAuth } from '../../modules/guard/runtime/core/policy/auth'

const SEED = {
  organizations: { enabled: true },
  routes: { rules: [{ pattern: '/team/**', require: { organization: true as const, orgPermissions: ['org:sys_memberships:read'] } }] },
}

/** How instance `guard` judges a request for `path` with `auth`, as its middleware does. */
function judgeOn(guard: Guard, path: string, auth: GuardAuth) {
  const route = guard.live.policy.classify((pathReadings(path) as { readings: string[] }).readings)
  if (route.kind !== 'protected') throw new Error(`${path} is not protected`)
  return evaluateAccess(guard.live.policy, { auth, rules: route.rules, organizationExempt: route.orgExempt, nowSeconds: guard.now() / 1000 })
}

describe.each(testBackends())('a removed member on every instance ($name)', (backend) => {
  const clock = fakeClock()
  const mail: MailMessage[] = []
  const mailer: Mailer = { send: async (message) => { mail.push(message) } }
  let storeOptions: DatabaseOptions
  let db: GuardDatabase
  let a: Guard
  let b: Guard

  beforeAll(async () => {
    storeOptions = await backend.freshStore()
    db = await openDatabase(storeOptions)
    a = await createGuard({ database: db, secret: SECRET, seed: SEED, now: clock.now, mailer })
    b = await createGuard({ database: backend.sameStore(storeOptions, db), secret: SECRET, seed: SEED, now: clock.now, mailer })
  }, 90_000)
  afterAll(async () => {
    await closeWithin(() => b?.close())
    await closeWithin(() => a?.close())
    await closeWithin(() => db?.close())
    await backend.cleanup()
  }, 30_000)

  it('is refused through B at their next request after A removed them', async () => {
    const owner = await a.sessions.signUp({ email: newEmail('owner'), password: PASSWORD })
    const member = await a.sessions.signUp({ email: newEmail('member'), password: PASSWORD })
    const org = await createOrganization(a, { userId: owner.user.id }, { name: 'Two Instances', slug: `two-${randomBytes(3).toString('hex')}` })
    const { delivery } = await inviteToOrganization(a, { userId: owner.user.id }, org.id, { email: member.user.email }, 'https://app.example.test/org-invitation')
    await delivery
    const token = /token=([\w-]+)/.exec(mail.at(-1)!.text)![1]!
    await acceptOrgInvitationToken(a, { userId: member.user.id }, token)
    await setActiveOrganization(a, { userId: member.user.id }, member.sessionId, org.id)

    // The member's browser, through B: a fresh token, then cache hits.
    let cookie = (await b.sessions.renew(member.sessionId))!
    const onB = async () => {
      const hot = b.authenticator.fromCache(cookie.token)
      if (hot) return { auth: hot, reminted: false }
      const result = await b.authenticator.authenticate({ token: cookie.token, refreshToken: cookie.refreshToken, tokenSource: 'cookie' })
      if (result.status === 'signed-in' && result.issued) cookie = { ...cookie, token: result.issued.token }
      return { auth: result.auth, reminted: result.status === 'signed-in' && Boolean(result.issued) }
    }
    const before = await onB()
    expect(before.reminted).toBe(false) // minted after the switch: current
    expect(b.authenticator.fromCache(cookie.token)).toBeTruthy()
    expect(before.auth.sessionClaims).toMatchObject({ org_id: org.id, org_slug: org.slug, org_role: 'org:member', org_permissions: ['org:sys_memberships:read'] })
    expect(before.auth.has({ permission: 'org:sys_memberships:read' })).toBe(true)
    expect(judgeOn(b, '/team/board', before.auth).allow).toBe(true)
    expect(await getOrganization(b, org.id, member.user.id)).toMatchObject({ role: 'org:member' })

    const withOrg = cookie.token
    await removeMember(a, { userId: owner.user.id }, org.id, member.user.id)
    const epoch = a.authenticator.epochs.userEpoch(member.user.id)
    expect(await eventually(() => b.authenticator.epochs.userEpoch(member.user.id) >= epoch, 5_000)).toBe(true)

    const next = await onB()
    expect(next.reminted).toBe(true)
    expect(next.auth.sessionClaims?.org_id).toBeUndefined()
    expect(next.auth.orgId).toBeNull()
    expect(judgeOn(b, '/team/board', next.auth)).toMatchObject({ allow: false, status: 403, error: 'organization_required' })
    // The token B cached before the removal, replayed (a copy kept by an attacker): B's hot path no longer takes it.
    expect(b.authenticator.fromCache(withOrg)).toBeUndefined()
    const replayed = await b.authenticator.authenticate({ token: withOrg, tokenSource: 'bearer' })
    expect(replayed.auth.orgId).toBeNull()
    expect(judgeOn(b, '/team/board', replayed.auth)).toMatchObject({ allow: false, error: 'organization_required' })
    expect(await activeOrgClaims(b.db, member.sessionId, b.live.policy.config.organizations)).toBeUndefined()
    await expect(getOrganization(b, org.id, member.user.id)).rejects.toMatchObject({ code: 'not_a_member', status: 403 })
    await expect(setActiveOrganization(b, { userId: member.user.id }, member.sessionId, org.id)).rejects.toMatchObject({ code: 'not_a_member' })
  })
})

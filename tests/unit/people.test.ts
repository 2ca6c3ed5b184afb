import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inviteUser } from '../../modules/guard/runtime/core/people/invite'
import { acceptInvitation, previewInvitation } from '../../modules/guard/runtime/core/people/accept-invitation'
import { createUserByAdmin } from '../../modules/guard/runtime/core/people/create-user'
import { disableUser, enableUser } from '../../modules/guard/runtime/core/people/disable'
import { unlockUser } from '../../modules/guard/runtime/core/people/unlock'
import { revokeInvitation } from '../../modules/guard/runtime/core/store/invitations'
import { disableUserRow } from '../../modules/guard/runtime/core/store/user-status'
import { hitRateLimit, rateLimitWait } from '../../modules/guard/runtime/core/store/rate-limits'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

const PASSWORD = 'password-123'
const ACCEPT_URL = 'https://app.example/accept-invitation'

/** People management from the attacker's side: invitations reused, expired, revoked, replaced or for a taken address; disabled accounts; unlock. */
describe('people (engine)', () => {
  let engine: MfaEngine
  let admin: Awaited<ReturnType<typeof newUser>>
  beforeAll(async () => {
    engine = await startMfaEngine({ roles: { admin: ['guard:admin'], member: [], billing: ['invoices:read'] } })
    admin = await newUser(engine, 'admin') // the first user: admin
  }, 60_000)
  afterAll(async () => { await engine?.close() })

  let n = 0
  const address = (label: string) => `${label}-${++n}@people.test`
  const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal') }, (error: { code: string; status: number; description: string; details: Record<string, unknown> }) => error)
  const invite = (email: string, roles = ['member']) => inviteUser(engine.guard, { email, roles }, { invitedBy: admin.userId, acceptUrl: ACCEPT_URL })
  /** The token in the newest invitation email to `to`. */
  const tokenFor = (to: string) => new URL(/https:\S+/.exec(engine.mail.filter(m => m.to === to).at(-1)!.text)![0]).searchParams.get('token')!
  const accept = (token: string, password = 'violet tractor umbrella 42', ip = '10.1.0.1') => acceptInvitation(engine.guard, { token, password }, { ip })

  describe('invitations', () => {
    it('emails a single-use link; accepting creates the account with the invitation\'s roles, verified, and signs it in', async () => {
      const email = address('ivy')
      const { invitation, replaced } = await invite(email, ['member', 'billing'])
      expect([replaced, invitation.email, invitation.roles]).toEqual([0, email, ['member', 'billing']])
      expect(JSON.stringify(invitation)).not.toMatch(/token/i)
      const message = engine.mail.at(-1)!
      expect(message).toMatchObject({ to: email, subject: 'You are invited' })
      expect(message.text).toContain(`${ACCEPT_URL}?token=`)
      const token = tokenFor(email)
      expect(JSON.stringify(await engine.db.query('select * from guard_invitations'))).not.toContain(token)
      expect(await previewInvitation(engine.guard, token)).toEqual({ email, expiresAt: invitation.expiresAt })
      expect(invitation.expiresAt.getTime() - engine.clock.now()).toBe(72 * 3_600_000)

      const issued = await accept(token)
      expect(issued.user).toMatchObject({ email, roles: ['member', 'billing'], emailVerified: true })
      expect(issued.claims).toMatchObject({ sub: issued.user.id, roles: ['member', 'billing'] })
      await expect(engine.guard.sessions.signIn({ email, password: 'violet tractor umbrella 42' })).resolves.toMatchObject({ user: { id: issued.user.id } })
      const [audit] = await engine.db.query<{ action: string; after: unknown }>('select action, after from guard_audit where target = $1 order by id desc limit 1', [issued.user.id])
      expect(audit).toMatchObject({ action: 'user.invitation_accepted', after: { email, roles: ['member', 'billing'], emailVerified: true } })

      // Reused: spent.
      expect(await refusal(accept(token, 'quartz pelican harbor 77'))).toMatchObject({ code: 'invalid_invitation', status: 400 })
      expect(await refusal(previewInvitation(engine.guard, token))).toMatchObject({ code: 'invalid_invitation' })
    })

    it('of two concurrent acceptances exactly one creates the account', async () => {
      const email = address('race')
      await invite(email)
      const results = await Promise.allSettled([accept(tokenFor(email)), accept(tokenFor(email), 'crimson walrus lantern 19')])
      expect(results.filter(result => result.status === 'fulfilled')).toHaveLength(1)
      expect(results.find(result => result.status === 'rejected')).toMatchObject({ reason: { code: expect.stringMatching(/^(invalid_invitation|email_taken)$/) } })
      expect(await engine.db.query('select id from guard_users where email = $1', [email])).toHaveLength(1)
    })

    it('refuses an expired invitation', async () => {
      const email = address('late')
      await invite(email)
      engine.clock.advance(72 * 3_600_000 + 1_000)
      expect(await refusal(accept(tokenFor(email)))).toMatchObject({ code: 'invalid_invitation', status: 400 })
      expect(await engine.db.query('select id from guard_users where email = $1', [email])).toHaveLength(0)
    })

    it('refuses a revoked invitation, and the earlier link once the address was invited again', async () => {
      const email = address('rev')
      const { invitation } = await invite(email)
      const first = tokenFor(email)
      await revokeInvitation(engine.db, invitation.id, engine.guard.mfa.nowDate())
      expect(await refusal(accept(first))).toMatchObject({ code: 'invalid_invitation' })
      await invite(email)
      const second = tokenFor(email)
      const { replaced } = await invite(email)
      expect(replaced).toBe(1)
      expect(await refusal(accept(second))).toMatchObject({ code: 'invalid_invitation' })
      await expect(accept(tokenFor(email))).resolves.toMatchObject({ user: { email } })
    })

    it('a token only ever opens its own invitation: another invitation\'s token makes that account, a tampered or made-up one nothing', async () => {
      const alice = address('alice')
      const mallory = address('mallory')
      await invite(alice, ['billing'])
      await invite(mallory)
      const aliceToken = tokenFor(alice)
      const tampered = `${aliceToken.slice(0, -1)}${aliceToken.endsWith('A') ? 'B' : 'A'}`
      expect(await refusal(accept(tampered))).toMatchObject({ code: 'invalid_invitation' })
      expect(await refusal(accept('x'.repeat(43)))).toMatchObject({ code: 'invalid_invitation' })
      const issued = await accept(tokenFor(mallory))
      expect(issued.user).toMatchObject({ email: mallory, roles: ['member'] })
      await expect(accept(aliceToken)).resolves.toMatchObject({ user: { email: alice, roles: ['billing'] } })
    })

    it('refuses to invite an address that has an account; at acceptance, refuses an address that got one meanwhile', async () => {
      expect(await refusal(invite(admin.email.toUpperCase()))).toMatchObject({ code: 'email_taken', status: 409, details: { field: 'email' } })
      const email = address('taken')
      await invite(email)
      const token = tokenFor(email)
      await engine.guard.sessions.signUp({ email, password: PASSWORD })
      expect(await refusal(accept(token))).toMatchObject({ code: 'email_taken', status: 409 })
      expect(await refusal(previewInvitation(engine.guard, token))).toMatchObject({ code: 'invalid_invitation' })
    })

    it('an admin creating the account revokes its pending invitation', async () => {
      const email = address('made')
      await invite(email)
      const token = tokenFor(email)
      const { user, revokedInvitations } = await createUserByAdmin(engine.guard, { email, password: 'saffron glacier teapot 63', roles: ['member'] })
      expect([user.emailVerified, revokedInvitations]).toEqual([false, 1])
      expect(await refusal(accept(token))).toMatchObject({ code: 'invalid_invitation' })
    })

    it('a weak password is refused and the invitation stays usable', async () => {
      const email = address('weak')
      await invite(email)
      expect(await refusal(accept(tokenFor(email), 'password1'))).toMatchObject({ status: 422, details: { field: 'password' } })
      await expect(accept(tokenFor(email))).resolves.toBeTruthy()
    })

    it('refuses an unknown role; withdraws the invitation when its email cannot be sent', async () => {
      expect(await refusal(invite(address('role'), ['root']))).toMatchObject({ code: 'invalid_request', details: { field: 'roles' } })
      const send = engine.guard.mfa.deps.mailer.send
      engine.guard.mfa.deps.mailer.send = async () => { throw new Error('SMTP down') }
      try {
        expect(await refusal(invite(address('nomail')))).toMatchObject({ code: 'invitation_not_sent', status: 502 })
      }
      finally { engine.guard.mfa.deps.mailer.send = send }
      expect(await engine.db.query('select id from guard_invitations where revoked_at is null and email like $1', ['nomail-%'])).toHaveLength(0)
    })
  })

  describe('disable and enable', () => {
    it('ends every session at once; sign-in says "disabled" only after the right password; enable lets them in again', async () => {
      const user = await newUser(engine, 'dis')
      const { after, revokedSessions } = await disableUser(engine.guard, { userId: user.userId, actorId: admin.userId, reason: 'Left the team' })
      expect([revokedSessions, after.disabledReason, after.disabledUntil]).toEqual([1, 'Left the team', null])
      expect(await engine.guard.sessions.refresh(user.issued.refreshToken)).toBeUndefined()
      expect(await refusal(engine.guard.sessions.signIn({ email: user.email, password: 'wrong password' }))).toMatchObject({ code: 'invalid_credentials', status: 401 })
      const disabled = await refusal(engine.guard.sessions.signIn({ email: user.email, password: PASSWORD }))
      expect(disabled).toMatchObject({ code: 'user_disabled', status: 403, details: { disabledUntil: null } })
      expect(disabled.description).toBe('This account is disabled. Contact your administrator.')
      expect(disabled.description).not.toContain('Left the team')
      await enableUser(engine.guard, user.userId)
      await expect(engine.guard.sessions.signIn({ email: user.email, password: PASSWORD })).resolves.toMatchObject({ user: { id: user.userId } })
    })

    it('with an end: says until when; once it passes, sign-in works with no admin', async () => {
      const user = await newUser(engine, 'until')
      const until = new Date(engine.clock.now() + 2 * 3_600_000)
      await disableUser(engine.guard, { userId: user.userId, actorId: admin.userId, reason: 'Cooling off', until })
      const disabled = await refusal(engine.guard.sessions.signIn({ email: user.email, password: PASSWORD }))
      expect(disabled).toMatchObject({ code: 'user_disabled', details: { disabledUntil: until.toISOString() } })
      expect(disabled.description).toContain(`until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC`)
      engine.clock.advance(2 * 3_600_000 + 1_000)
      await expect(engine.guard.sessions.signIn({ email: user.email, password: PASSWORD })).resolves.toMatchObject({ user: { id: user.userId } })
    })

    it('a session left behind (disabled without revocation) cannot refresh, reissue or renew', async () => {
      const user = await newUser(engine, 'left')
      await disableUserRow(engine.db, user.userId, { reason: 'x', until: null, now: engine.guard.mfa.nowDate() })
      expect(await engine.guard.sessions.refresh(user.issued.refreshToken)).toBeUndefined()
      expect(await engine.guard.sessions.reissue(user.sessionId)).toBeUndefined()
      expect(await engine.guard.sessions.renew(user.sessionId)).toBeUndefined()
    })

    it('refuses your own account, the last admin, an end in the past, an unknown user', async () => {
      const other = await newUser(engine, 'other')
      expect(await refusal(disableUser(engine.guard, { userId: admin.userId, actorId: admin.userId, reason: 'x' }))).toMatchObject({ code: 'own_account', status: 409 })
      expect(await refusal(disableUser(engine.guard, { userId: admin.userId, actorId: other.userId, reason: 'x' }))).toMatchObject({ code: 'last_admin', status: 409 })
      expect(await refusal(disableUser(engine.guard, { userId: other.userId, actorId: admin.userId, reason: 'x', until: new Date(engine.clock.now() - 1) }))).toMatchObject({ code: 'invalid_request', details: { field: 'until' } })
      expect(await refusal(disableUser(engine.guard, { userId: 'user_nobody', actorId: admin.userId, reason: 'x' }))).toMatchObject({ code: 'user_not_found', status: 404 })
      expect(await refusal(enableUser(engine.guard, 'user_nobody'))).toMatchObject({ code: 'user_not_found' })
    })
  })

  describe('unlock', () => {
    it('clears a throttled sign-in: the owner\'s right password works at once from the throttled address', async () => {
      const user = await newUser(engine, 'locked')
      const from = { ip: '10.9.9.9' }
      for (let i = 0; i < 10; i++) expect(await refusal(engine.guard.sessions.signIn({ email: user.email, password: 'guess' }, from))).toMatchObject({ code: 'invalid_credentials' })
      expect(await refusal(engine.guard.sessions.signIn({ email: user.email, password: PASSWORD }, from))).toMatchObject({ code: 'too_many_attempts', status: 429 })
      const cleared = await unlockUser(engine.guard, user.userId)
      expect(cleared.signInFailures).toBe(10)
      await expect(engine.guard.sessions.signIn({ email: user.email, password: PASSWORD }, from)).resolves.toMatchObject({ user: { id: user.userId } })
    })

    it('clears a blocked second factor and email-code sends of that user only', async () => {
      const user = await newUser(engine, 'factor')
      const bystander = await newUser(engine, 'bystander')
      const rule = { limit: 1, windowSeconds: 3_600, blockSeconds: 3_600 }
      const now = engine.guard.mfa.nowDate()
      for (const key of [`factor-client:${user.userId}:10.0.0.7`, `email-send:${user.userId}`, `factor-client:${bystander.userId}:10.0.0.7`]) {
        await hitRateLimit(engine.db, key, rule, now)
        await hitRateLimit(engine.db, key, rule, now)
        expect(await rateLimitWait(engine.db, key, now)).toBeGreaterThan(0)
      }
      const { rateLimits } = await unlockUser(engine.guard, user.userId)
      expect(rateLimits).toEqual([`email-send:${user.userId}`, `factor-client:${user.userId}:10.0.0.7`])
      expect(await rateLimitWait(engine.db, `factor-client:${user.userId}:10.0.0.7`, now)).toBe(0)
      expect(await rateLimitWait(engine.db, `factor-client:${bystander.userId}:10.0.0.7`, now)).toBeGreaterThan(0)
      expect(await refusal(unlockUser(engine.guard, 'user_nobody'))).toMatchObject({ code: 'user_not_found' })
    })
  })
})

/**
 * The claims preview is what a minted session token carries: same renderer,
 * same user view, same size accounting, same template checks.
 */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewClaims } from '../../modules/guard/runtime/core/admin/claims-preview'
import { toClaimsUser } from '../../modules/guard/runtime/core/engine/sessions'
import type { Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import type { GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { enrolledFactorTypes } from '../../modules/guard/runtime/core/store/factors'
import { pglite } from '../support/backends'
import { fakeClock } from '../support/fake-clock'
import { PASSWORD, newEmail, startEngine, stopEngine } from '../support/engine'

const backend = pglite()
const clock = fakeClock()
let db: GuardDatabase
let guard: Guard

beforeAll(async () => { ({ db, guard } = await startEngine(backend, clock.now)) }, 60_000)
afterAll(() => stopEngine(backend, { guard, db }), 30_000)

describe('previewClaims', () => {
  it('equals the custom claims of a token minted with the same template', async () => {
    const template = { email: '{{user.email}}', isMfa: '{{user.two_factor_enabled}}', who: '{{user.id}}/{{user.roles}}', org: { plan: '{{user.public_metadata.plan}}' }, fixed: [1, 'two', null] }
    const live = guard.live.policy
    await guard.live.save({ ...live.config, claims: { template } }, { expectedVersion: live.version })
    const session = await guard.sessions.signUp({ email: newEmail('preview'), password: PASSWORD })
    const preview = previewClaims(template, toClaimsUser(session.user, guard.live.policy, await enrolledFactorTypes(db, session.user.id)))
    if (!preview.ok) throw new Error(JSON.stringify(preview.fields))
    const { sub, sid, iss, iat, exp, nbf, roles, mfa, fva, cep, email_verified, ...custom } = decodeJwt(session.token)
    expect(preview.claims).toEqual(custom)
    expect(preview.claims).toMatchObject({ isMfa: false, org: { plan: null }, who: `${session.user.id}/["admin"]` })
    expect(preview.bytes).toBe(new TextEncoder().encode(JSON.stringify(custom)).length)
    expect(preview.limitBytes).toBe(1200)
  })

  it('refuses what a config save would refuse, with the field', () => {
    const user = { id: 'user_1', email: 'a@b.c', email_verified: true, created_at: 0, roles: [], permissions: [], two_factor_enabled: false, public_metadata: {} }
    expect(previewClaims({ sub: 'x', y: '{{user.secret}}' }, user)).toEqual({
      ok: false,
      fields: [
        { path: 'claims.template.sub', message: expect.stringContaining('reserved') },
        { path: 'claims.template.y', message: expect.stringContaining('unknown shortcode') },
      ],
    })
    expect(previewClaims(['not', 'an', 'object'], user)).toMatchObject({ ok: false, fields: [{ path: 'claims.template' }] })
    expect(previewClaims({ big: 'x'.repeat(2_000) }, user)).toMatchObject({ ok: false, fields: [{ message: expect.stringContaining('1200-byte limit') }] })
  })
})

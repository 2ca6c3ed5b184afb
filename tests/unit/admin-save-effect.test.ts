/** The console's save messages say when a save takes effect (issue 11): the next request, except lifetimes. */
import { describe, expect, it } from 'vitest'
import { describeSaveEffect } from '../../modules/guard/runtime/core/admin/effect'
import { defaultConfig } from '../../modules/guard/runtime/core/config/validate'

describe('describeSaveEffect', () => {
  const before = defaultConfig()

  it('routes, MFA, the claims template and roles: every session’s next request', () => {
    const after = { ...before, claims: { template: { plan: '{{user.public_metadata.plan}}' } }, roles: { ...before.roles, billing: ['invoices:read'] } }
    const effect = describeSaveEffect(before, after, 8)
    expect(effect).toEqual({ when: 'next_request', later: [], summary: 'Saved as version 8 — every session\'s next request, on every instance, is judged by it.' })
  })

  it('lifetimes apply to what is issued from now on, and the message says so', () => {
    const after = { ...before, session: { ...before.session, tokenTtlSeconds: 300, sessionTtlDays: 30 } }
    const effect = describeSaveEffect(before, after, 9)
    expect(effect.when).toBe('partly_from_now')
    expect(effect.later.map(line => line.path)).toEqual(['session.tokenTtlSeconds', 'session.sessionTtlDays'])
    expect(effect.summary).toContain('tokens issued from now on')
    expect(effect.summary).toContain('sessions started from now on')
    expect(effect.summary).not.toMatch(/next request\.$/)
  })
})

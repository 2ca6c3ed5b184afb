import { describe, expect, it, vi } from 'vitest'
import { hasCheck } from '../../modules/guard/runtime/core/policy/has'
import { signedInAuth, type SessionClaims } from '../../modules/guard/runtime/core/policy/auth'

const claims = { sub: 'user_1', sid: 'sess_1', iss: 'x', iat: 0, exp: 1, roles: ['member'], org_id: 'org_1', org_slug: 'acme', org_role: 'org:admin', org_permissions: ['org:sys_memberships:manage'] } as SessionClaims

/** One has() for the server's auth object and the app's useAuth() snapshot; a check that can never be true says so once. */
describe('has()', () => {
  const server = signedInAuth(claims, new Set(['reports:read']))
  const app = { roles: ['member'], permissions: ['reports:read'], orgRole: 'org:admin', orgPermissions: ['org:sys_memberships:manage'] }
  const checks = [
    { role: 'member' }, { role: 'admin' }, { role: 'org:admin' }, { role: 'org:member' },
    { permission: 'reports:read' }, { permission: 'reports:write' }, { permission: 'org:sys_memberships:manage' }, { permission: 'org:sys_domains:manage' },
  ]

  it('answers the same on the server and in the app: org: names from the active organization, others from the site roles', () => {
    const answers = checks.map(check => [server.has(check), hasCheck(app, check)])
    expect(answers).toEqual([[true, true], [false, false], [true, true], [false, false], [true, true], [false, false], [true, true], [false, false]])
  })

  it('an org: name no role can hold (the older org:sys_domains_manage spelling) warns once, with the name to use', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      expect(server.has({ permission: 'org:sys_domains_manage' })).toBe(false)
      expect(hasCheck(app, { permission: 'org:sys_domains_manage' })).toBe(false)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]![0])).toContain('did you mean org:sys_domains:manage?')
      expect(server.has({ permission: 'org:sys_domains:manage' })).toBe(false) // well-formed, just not held: silent
      expect(warn).toHaveBeenCalledTimes(1)
    }
    finally { warn.mockRestore() }
  })
})

import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref, type Ref } from 'vue'

// (Its types are checked by tsc with the other app types: tests/unit/guard-api-types.check.ts.)
// The Nuxt app context useAuth() runs in, reduced to what it uses: useState's keyed refs and no
// request event (the browser side). $fetch answers GET /api/_guard/session from `serverSession`.
const states = new Map<string, Ref<unknown>>()
vi.mock('#imports', () => ({
  useState: (key: string, init: () => unknown) => {
    if (!states.has(key)) states.set(key, ref(init()))
    return states.get(key)
  },
  useRequestEvent: () => undefined,
}))
let serverSession: unknown = null
vi.stubGlobal('$fetch', async (path: string) => {
  if (path !== '/api/_guard/session') throw new Error(`unexpected request ${path}`)
  if (!serverSession) throw Object.assign(new Error('401'), { statusCode: 401 })
  return serverSession
})

const { useClaimValue } = await import('../../modules/guard/runtime/app/composables/useClaimValue')
const { useAuth } = await import('../../modules/guard/runtime/app/composables/useAuth')

const snapshot = (claims: Record<string, unknown>) => ({
  userId: 'usr_1', sessionId: 'ses_1', roles: ['member'], permissions: [],
  claims: { sub: 'usr_1', sid: 'ses_1', iss: 'https://app.test', iat: 1, exp: 2, roles: ['member'], ...claims },
})

beforeEach(() => { states.clear(); serverSession = null })

describe('useClaimValue', () => {
  it('is undefined while signed out, and for a claim the token does not carry', async () => {
    const mfa = useClaimValue('mfa')
    await useAuth().load()
    expect(mfa.value).toBeUndefined()
    serverSession = snapshot({ plan: 'pro' })
    await useAuth().refresh()
    expect(mfa.value).toBeUndefined()
    expect(useClaimValue('plan').value).toBe('pro')
  })

  it('follows the session: the seed page\'s "unless TOTP is completed" flips when a refresh brings c.totp', async () => {
    serverSession = snapshot({ mfa: { c: {}, v: false, e: ['totp'] } })
    await useAuth().load()
    const mfa = useClaimValue('mfa')
    const showMessage = () => mfa.value?.c.totp === undefined
    expect(showMessage()).toBe(true)
    expect(mfa.value).toEqual({ c: {}, v: false, e: ['totp'] })

    // The challenge page refreshes the session after a completed factor (the token was re-minted).
    serverSession = snapshot({ mfa: { c: { totp: 1_700_000_000 }, v: true, e: ['totp'] } })
    await useAuth().refresh()
    expect(showMessage()).toBe(false)
    expect(mfa.value?.c.totp).toBe(1_700_000_000)

    // Signing out (or a session the server no longer knows) empties it again.
    serverSession = null
    await useAuth().refresh()
    expect(mfa.value).toBeUndefined()
  })
})

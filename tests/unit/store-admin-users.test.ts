import { beforeEach, afterEach, describe, expect, it, vi } from 'vitest'
import { httpError, stubFetchPerTest } from '../support/store-fetch'
import { useAdminUsersStore, type AdminUser } from '../../stores/admin-users'

const user = (n: number, extra: Partial<AdminUser> = {}): AdminUser => ({ id: `usr_${n}`, email: `u${n}@example.test`, roles: ['member'], createdAt: '2026-11-01T00:00:00Z', factors: ['totp'], activeSessions: 2, ...extra })

const fetchMock = stubFetchPerTest()
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('useAdminUsersStore', () => {
  it('searches once typing pauses, from the first page, with only the last query', async () => {
    fetchMock.mockResolvedValue({ users: [user(1)], total: 1 })
    const users = useAdminUsersStore()
    users.offset = 40
    users.search('a')
    users.search('al')
    users.search('ali')
    await vi.advanceTimersByTimeAsync(299)
    expect(fetchMock).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock).toHaveBeenCalledWith('/api/_guard/admin/users', { query: { q: 'ali', limit: 20, offset: 0 } })
    expect(users.users).toEqual([user(1)])
  })

  it('never lets a slow answer to an older search overwrite a newer one', async () => {
    let answerOld!: (value: unknown) => void
    fetchMock
      .mockImplementationOnce(() => new Promise((resolve) => { answerOld = resolve }))
      .mockResolvedValueOnce({ users: [user(2)], total: 1 })
    const users = useAdminUsersStore()
    users.search('old')
    await vi.advanceTimersByTimeAsync(300)
    users.search('new')
    await vi.advanceTimersByTimeAsync(300)
    answerOld({ users: [user(1)], total: 1 })
    await vi.runAllTimersAsync()
    expect(users.users).toEqual([user(2)])
    expect(users.loading).toBe(false)
  })

  it('pages through the total with limit and offset', async () => {
    fetchMock.mockResolvedValue({ users: [user(1)], total: 45 })
    const users = useAdminUsersStore()
    await users.fetchPage()
    expect(users.pageCount).toBe(3)
    expect(users.hasPrevious).toBe(false)
    await users.goToPage(3)
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/users', { query: { q: undefined, limit: 20, offset: 40 } })
    expect(users.hasNext).toBe(false)
    await users.goToPage(9)
    expect(users.offset).toBe(40)
  })

  it('changes roles and shows the user as the server returned it', async () => {
    fetchMock.mockResolvedValueOnce({ users: [user(1), user(2)], total: 2 })
    const users = useAdminUsersStore()
    await users.fetchPage()
    fetchMock.mockResolvedValueOnce({ ...user(2, { roles: ['admin', 'member'] }), effective: 'next_request', effectiveWithinSeconds: 0 })
    const outcome = await users.changeRoles('usr_2', ['admin', 'member'])
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/users/usr_2/roles', { method: 'PUT', body: { roles: ['admin', 'member'] } })
    expect(outcome).toEqual({ ok: true, effective: 'next_request', effectiveWithinSeconds: 0 })
    expect(users.users[1]).toEqual(user(2, { roles: ['admin', 'member'] }))
    expect(users.users[1]!.roles).toEqual(['admin', 'member'])
    expect(users.users[0]!.roles).toEqual(['member'])
  })

  it('resets MFA and revokes sessions, and says how many went', async () => {
    fetchMock.mockResolvedValueOnce({ users: [user(1)], total: 1 })
    const users = useAdminUsersStore()
    await users.fetchPage()
    fetchMock.mockResolvedValueOnce({ removed: 3, effective: 'next_request', effectiveWithinSeconds: 0 })
    expect(await users.resetMfa('usr_1')).toEqual({ ok: true, count: 3, effective: 'next_request', effectiveWithinSeconds: 0 })
    expect(users.users[0]!.factors).toEqual([])
    fetchMock.mockResolvedValueOnce({ revoked: 2 })
    expect(await users.revokeSessions('usr_1')).toEqual({ ok: true, count: 2 })
    expect(users.users[0]!.activeSessions).toBe(0)
    expect(users.busy).toEqual({})
  })

  it('keeps the user unchanged when the server refuses, and passes on its reason', async () => {
    fetchMock.mockResolvedValueOnce({ users: [user(1, { roles: ['admin'] })], total: 1 })
    const users = useAdminUsersStore()
    await users.fetchPage()
    fetchMock.mockRejectedValueOnce(httpError(409, { error: 'last_admin', error_description: 'The last admin cannot lose the admin role.' }))
    const outcome = await users.changeRoles('usr_1', [])
    expect(outcome).toMatchObject({ ok: false, problem: { status: 409, code: 'last_admin', description: 'The last admin cannot lose the admin role.' } })
    expect(users.users[0]!.roles).toEqual(['admin'])
  })

  it('replaces public metadata with a PUT and remembers what the server saved', async () => {
    fetchMock.mockResolvedValueOnce({ users: [user(1), user(2)], total: 2 })
    const users = useAdminUsersStore()
    await users.fetchPage()
    expect(users.knownMetadata).toEqual({})
    fetchMock.mockResolvedValueOnce({ ...user(2, { activeSessions: 3 }), publicMetadata: { plan: 'pro', seats: 5 }, effective: 'next_request', effectiveWithinSeconds: 0 })
    const outcome = await users.setPublicMetadata('usr_2', { plan: 'pro', seats: 5 })
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/users/usr_2/metadata', { method: 'PUT', body: { publicMetadata: { plan: 'pro', seats: 5 } } })
    expect(outcome).toEqual({ ok: true, effective: 'next_request', effectiveWithinSeconds: 0 })
    expect(users.knownMetadata).toEqual({ usr_2: { plan: 'pro', seats: 5 } })
    expect(users.users[1]).toEqual(user(2, { activeSessions: 3 }))
    expect(users.users[0]).toEqual(user(1))
    expect(users.busy).toEqual({})
  })

  it('keeps the list and the known metadata unchanged when the metadata is refused (422)', async () => {
    fetchMock.mockResolvedValueOnce({ users: [user(1)], total: 1 })
    const users = useAdminUsersStore()
    await users.fetchPage()
    fetchMock.mockRejectedValueOnce(httpError(422, { error: 'invalid_request', error_description: 'publicMetadata: keep public metadata under 4096 bytes of JSON' }))
    const outcome = await users.setPublicMetadata('usr_1', { blob: 'x'.repeat(5000) })
    expect(outcome).toMatchObject({ ok: false, problem: { status: 422, code: 'invalid_request', description: 'publicMetadata: keep public metadata under 4096 bytes of JSON' } })
    expect(users.users).toEqual([user(1)])
    expect(users.knownMetadata).toEqual({})
    expect(users.busy).toEqual({})
  })

  it('shows a network failure as a problem, not an empty list', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('fetch failed'))
    const users = useAdminUsersStore()
    await users.fetchPage()
    expect(users.problem).toMatchObject({ status: 0, code: 'network_error' })
    expect(users.loaded).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { httpError, stubFetchPerTest } from '../support/store-fetch'
import { useAuditStore } from '../../stores/audit'
import { useConfigHistoryStore } from '../../stores/config-history'
import { useGuardConfigStore } from '../../stores/guard-config'

const entry = (id: number) => ({ id, at: '2026-11-23T06:00:00Z', actorId: 'usr_1', actorEmail: 'a@x.test', action: 'config.save', target: null, before: null, after: null, ip: null })

const fetchMock = stubFetchPerTest()

describe('useAuditStore', () => {
  it('pages older with the cursor and comes back newer to exactly the page it left', async () => {
    fetchMock
      .mockResolvedValueOnce({ entries: [entry(30), entry(29)], nextBefore: '29' })
      .mockResolvedValueOnce({ entries: [entry(28), entry(27)], nextBefore: '27' })
      .mockResolvedValueOnce({ entries: [entry(26)], nextBefore: null })
      .mockResolvedValueOnce({ entries: [entry(28), entry(27)], nextBefore: '27' })
    const audit = useAuditStore()
    await audit.loadFirst()
    expect(audit.hasNewer).toBe(false)
    await audit.older()
    await audit.older()
    expect(fetchMock.mock.calls.map(call => call[1].query.before)).toEqual([undefined, '29', '27'])
    expect(audit.hasOlder).toBe(false)
    expect(audit.page).toBe(3)
    await audit.newer()
    expect(fetchMock.mock.lastCall![1].query.before).toBe('29')
    expect(audit.entries.map(e => e.id)).toEqual([28, 27])
    expect(audit.page).toBe(2)
  })

  it('stays on the page it shows when fetching the next one fails', async () => {
    fetchMock
      .mockResolvedValueOnce({ entries: [entry(2)], nextBefore: 2 })
      .mockRejectedValueOnce(httpError(503, { error: 'temporarily_unavailable', error_description: 'Database unavailable; try again shortly.' }))
    const audit = useAuditStore()
    await audit.loadFirst()
    await audit.older()
    expect(audit.page).toBe(1)
    expect(audit.entries.map(e => e.id)).toEqual([2])
    expect(audit.problem?.description).toMatch(/try again/)
  })
})

describe('useConfigHistoryStore', () => {
  it('lists versions and asks for the diff between any two', async () => {
    fetchMock
      .mockResolvedValueOnce({ versions: [{ version: 2, createdAt: 'x', createdBy: 'usr_1', createdByEmail: 'a@x.test', note: null }] })
      .mockResolvedValueOnce({ from: 1, to: 2, changes: [{ path: 'mfa.enforce', kind: 'changed', before: 'off', after: 'all' }] })
    const history = useConfigHistoryStore()
    await history.load()
    await history.compare(1, 2)
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/config/diff', { query: { from: 1, to: 2 } })
    expect(history.versions).toHaveLength(1)
    expect(history.diff?.changes[0]!.path).toBe('mfa.enforce')
  })

  it('rolls back naming the version the editor is at, and the editor adopts the new version', async () => {
    const config = useGuardConfigStore()
    config.adopt({ version: 5, document: { routes: {} } as never })
    fetchMock
      .mockResolvedValueOnce({ version: 6, document: { routes: { public: ['/'] } } })
      .mockResolvedValueOnce({ versions: [] })
    const history = useConfigHistoryStore()
    const outcome = await history.rollback(2)
    expect(fetchMock.mock.calls[0]).toEqual(['/api/_guard/admin/config/rollback', { method: 'POST', body: { version: 2, expectedVersion: 5 } }])
    expect(outcome).toEqual({ ok: true, version: 6 })
    expect(config.version).toBe(6)
    expect(config.dirty).toBe(false)
  })

  it('opens one stored version, and says so when it does not exist', async () => {
    fetchMock
      .mockResolvedValueOnce({ version: 3, document: { mfa: { enforce: 'all' } }, createdAt: 'x' })
      .mockRejectedValueOnce(httpError(404, { error: 'version_not_found', error_description: 'There is no config version 99; pick one from the history.' }))
    const history = useConfigHistoryStore()
    await history.view(3)
    expect(fetchMock).toHaveBeenCalledWith('/api/_guard/admin/config/versions/3')
    expect(history.viewed?.document).toEqual({ mfa: { enforce: 'all' } })
    await history.view(99)
    expect(history.viewProblem?.code).toBe('version_not_found')
  })

  it('a refused rollback leaves the editor where it was', async () => {
    const config = useGuardConfigStore()
    config.adopt({ version: 5, document: { routes: {} } as never })
    fetchMock.mockRejectedValueOnce(httpError(409, { error: 'stale_version', error_description: 'Someone saved version 6; reload first.', currentVersion: 6 }))
    const outcome = await useConfigHistoryStore().rollback(2)
    expect(outcome).toMatchObject({ ok: false, problem: { status: 409 } })
    expect(config.version).toBe(5)
  })
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import { httpError, stubFetchPerTest } from '../support/store-fetch'
import { useClaimsPreviewStore } from '../../stores/claims-preview'
import { useSimulatorStore } from '../../stores/simulator'
import { useGuardConfigStore } from '../../stores/guard-config'


const fetchMock = stubFetchPerTest()
afterEach(() => {
  vi.useRealTimers()
})

describe('useClaimsPreviewStore', () => {
  it('renders once the edits pause, for the chosen user, with the latest template', async () => {
    vi.useFakeTimers()
    fetchMock.mockResolvedValue({ claims: { plan: 'pro' }, bytes: 14, limitBytes: 1200 })
    const preview = useClaimsPreviewStore()
    preview.schedule({ plan: '{{user.public_metadata}}' }, 'usr_1')
    preview.schedule({ plan: '{{user.public_metadata.plan}}' }, 'usr_1')
    await vi.advanceTimersByTimeAsync(400)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock).toHaveBeenCalledWith('/api/_guard/admin/claims/preview', { method: 'POST', body: { template: { plan: '{{user.public_metadata.plan}}' }, userId: 'usr_1' } })
    expect(preview.result).toEqual({ claims: { plan: 'pro' }, bytes: 14, limitBytes: 1200 })
  })

  it('shows unknown-shortcode and reserved-claim errors by field', async () => {
    fetchMock.mockRejectedValueOnce(httpError(422, { error: 'invalid_template', error_description: 'fix the template', fields: [{ path: 'claims.template.sub', message: 'sub is reserved' }] }))
    const preview = useClaimsPreviewStore()
    await preview.render({ sub: 'x' }, 'usr_1')
    expect(preview.issues).toEqual([{ path: 'claims.template.sub', message: 'sub is reserved' }])
  })
})

describe('useSimulatorStore', () => {
  it('asks about the live config without sending a draft', async () => {
    fetchMock.mockResolvedValueOnce({ allow: false, status: 401, reason: 'not signed in', route: 'protected', api: false, matchedRules: [], readings: ['/reports'], version: 4 })
    const simulator = useSimulatorStore()
    simulator.question = { method: 'GET', path: '/reports', userId: null, mfa: true, against: 'live' }
    await simulator.run()
    expect(fetchMock).toHaveBeenCalledWith('/api/_guard/admin/simulate', { method: 'POST', body: { method: 'GET', path: '/reports', userId: undefined, mfa: undefined, draft: undefined } })
    expect(simulator.verdict?.reason).toBe('not signed in')
  })

  it('sends the unsaved draft when asked to judge against it', async () => {
    const config = useGuardConfigStore()
    config.adopt({ version: 4, document: { routes: { public: ['/'] } } as never })
    config.draft!.routes.public.push('/reports')
    fetchMock.mockResolvedValueOnce({ allow: true, status: 200, reason: 'public', route: 'public', api: false, matchedRules: [], readings: [], version: 'draft' })
    const simulator = useSimulatorStore()
    simulator.question = { method: 'GET', path: '/reports', userId: 'usr_2', mfa: true, against: 'draft' }
    await simulator.run()
    expect(fetchMock.mock.lastCall![1].body).toEqual({ method: 'GET', path: '/reports', userId: 'usr_2', mfa: true, draft: { routes: { public: ['/', '/reports'] } } })
    expect(simulator.verdict?.version).toBe('draft')
  })
})

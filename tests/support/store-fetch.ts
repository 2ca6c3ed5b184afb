import { afterEach, beforeEach, vi, type Mock } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

/**
 * A failed `$fetch` as ofetch throws it: the status and the guard error body.
 *
 * @example
 * fetchMock.mockRejectedValueOnce(httpError(409, { error: 'stale_version', currentVersion: 4 }))
 */
export const httpError = (status: number, data: Record<string, unknown>) =>
  Object.assign(new Error(`HTTP ${status}`), { statusCode: status, status, data })

/**
 * For a store test file: before each test a fresh Pinia and a fresh global
 * `$fetch` mock (the admin stores call the global), removed after it.
 *
 * @example
 * const fetchMock = stubFetchPerTest()
 * fetchMock.mockResolvedValueOnce({ users: [], total: 0 })
 */
export function stubFetchPerTest(): Mock {
  const fetchMock = vi.fn()
  beforeEach(() => {
    setActivePinia(createPinia())
    fetchMock.mockReset()
    vi.stubGlobal('$fetch', fetchMock)
  })
  afterEach(() => vi.unstubAllGlobals())
  return fetchMock
}

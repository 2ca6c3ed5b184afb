import { afterEach, describe, expect, it, vi } from 'vitest'
import { httpError, stubFetchPerTest } from '../support/store-fetch'
import { useGuardConfigStore, type GuardDocument } from '../../stores/guard-config'

/** A FetchError-like failure, as ofetch throws it. */

const baseDocument = () => ({
  signInUrl: '/sign-in', signUpUrl: '/sign-up', afterSignInUrl: '/',
  routes: { mode: 'protect-all', public: ['/', '/sign-in'], ignored: ['/_nuxt/**'], api: ['/api/**'], rules: [] },
  mfa: { enforce: 'off', strategies: { totp: true, recovery_code: true, email_code: false, webauthn: true }, requirements: [], enrollUrl: '/add', challengeUrl: '/mfa', mfaTokenTtlSeconds: 300, rememberDeviceDays: 30 },
  claims: { template: { email: '{{user.email}}' } },
  session: { tokenTtlSeconds: 60, sessionTtlDays: 7, clockSkewMs: 5000 },
  roles: { admin: ['guard:admin'], member: [] },
}) as unknown as GuardDocument

const fetchMock = stubFetchPerTest()
afterEach(() => {
  vi.useRealTimers()
})

async function loadedStore(version = 7) {
  fetchMock.mockResolvedValueOnce({ version, document: { ...baseDocument(), version } })
  const config = useGuardConfigStore()
  await config.load()
  return config
}

describe('useGuardConfigStore', () => {
  it('loads the live document and starts clean, without the server-assigned version in the draft', async () => {
    const config = await loadedStore(7)
    expect(fetchMock).toHaveBeenCalledWith('/api/_guard/admin/config')
    expect(config.version).toBe(7)
    expect(config.draft).toEqual(baseDocument())
    expect(config.dirty).toBe(false)
  })

  it('is dirty after an edit and clean again when the edit is undone or discarded', async () => {
    const config = await loadedStore()
    config.draft!.mfa.enforce = 'all'
    expect(config.dirty).toBe(true)
    config.draft!.mfa.enforce = 'off'
    expect(config.dirty).toBe(false)
    config.draft!.routes.public.push('/pricing')
    config.discard()
    expect(config.dirty).toBe(false)
    expect(config.draft!.routes.public).toEqual(['/', '/sign-in'])
  })

  it('does not count reordered object keys as a change', async () => {
    const config = await loadedStore()
    const { claims, ...rest } = config.draft!
    config.draft = { claims, ...rest } as GuardDocument
    expect(config.dirty).toBe(false)
  })

  it('saves the whole draft naming the version it was loaded at, then adopts the new version', async () => {
    const config = await loadedStore(7)
    config.draft!.mfa.enforce = 'all'
    const saved = { ...baseDocument(), mfa: { ...baseDocument().mfa, enforce: 'all' } }
    fetchMock.mockResolvedValueOnce({ version: 8, document: saved })
    const outcome = await config.save()
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/config', { method: 'PUT', body: { version: 7, document: config.draft } })
    expect(outcome).toEqual({ ok: true, version: 8 })
    expect(config.version).toBe(8)
    expect(config.dirty).toBe(false)
  })

  it('on 409 keeps the draft and the loaded version, and exposes the version someone else saved', async () => {
    const config = await loadedStore(7)
    config.draft!.routes.public.push('/pricing')
    const theirs = { ...baseDocument(), mfa: { ...baseDocument().mfa, enforce: 'all' } }
    fetchMock.mockRejectedValueOnce(httpError(409, { error: 'stale_version', error_description: 'reload', currentVersion: 9, current: { version: 9, document: theirs } }))
    const outcome = await config.save()
    expect(outcome).toEqual({ ok: false, reason: 'stale' })
    expect(config.conflict).toEqual({ currentVersion: 9, current: theirs })
    expect(config.version).toBe(7)
    expect(config.draft!.routes.public).toEqual(['/', '/sign-in', '/pricing'])
    expect(config.dirty).toBe(true)
  })

  it('reads a 409 whose `current` is the bare document', async () => {
    const config = await loadedStore(7)
    fetchMock.mockRejectedValueOnce(httpError(409, { error: 'stale_version', error_description: 'reload', currentVersion: 9, current: { ...baseDocument(), version: 9 } }))
    await config.save()
    expect(config.conflict).toEqual({ currentVersion: 9, current: baseDocument() })
  })

  it('"reload their version" drops my edits and takes theirs', async () => {
    const config = await loadedStore(7)
    config.draft!.routes.public.push('/pricing')
    const theirs = { ...baseDocument(), mfa: { ...baseDocument().mfa, enforce: 'all' } }
    fetchMock.mockRejectedValueOnce(httpError(409, { error: 'stale_version', error_description: 'x', currentVersion: 9, current: theirs }))
    await config.save()
    config.reloadTheirs()
    expect(config.version).toBe(9)
    expect(config.draft).toEqual(theirs)
    expect(config.conflict).toBeNull()
    expect(config.dirty).toBe(false)
  })

  it('"re-apply my changes" merges my edits onto their document and saves naming their version', async () => {
    const config = await loadedStore(7)
    config.draft!.routes.public.push('/pricing')
    const theirs = { ...baseDocument(), mfa: { ...baseDocument().mfa, enforce: 'all' } }
    fetchMock.mockRejectedValueOnce(httpError(409, { error: 'stale_version', error_description: 'x', currentVersion: 9, current: theirs }))
    await config.save()
    fetchMock.mockImplementationOnce(async (_url: string, options: { body: { document: unknown } }) => ({ version: 10, document: options.body.document }))
    const outcome = await config.reapply()
    const body = fetchMock.mock.lastCall![1].body
    expect(body.version).toBe(9)
    expect(body.document.mfa.enforce).toBe('all')
    expect(body.document.routes.public).toEqual(['/', '/sign-in', '/pricing'])
    expect(outcome).toEqual({ ok: true, version: 10 })
    expect(config.version).toBe(10)
  })

  it('on 422 maps the fields to paths, changes nothing, and keeps the draft', async () => {
    const config = await loadedStore(7)
    config.draft!.routes.rules.push({ pattern: '^/admin', require: { roles: ['admin'] } })
    fetchMock.mockRejectedValueOnce(httpError(422, {
      error: 'invalid_config', error_description: 'fix the fields',
      fields: [{ path: 'routes.rules.0.pattern', message: 'use a glob such as /admin/**' }, { path: 'mfa.enforce', message: 'x' }],
    }))
    const outcome = await config.save()
    expect(outcome).toEqual({ ok: false, reason: 'invalid' })
    expect(config.version).toBe(7)
    expect(config.dirty).toBe(true)
    expect(config.issuesAt('routes.rules.0')).toEqual([{ path: 'routes.rules.0.pattern', message: 'use a glob such as /admin/**' }])
    expect(config.issuesAt('routes.rules.1')).toEqual([])
    expect(config.issuesAt('routes.rules.0.pat')).toEqual([])
  })

  it('tells an unsafe config apart and keeps the server reason', async () => {
    const config = await loadedStore(7)
    config.draft!.mfa.strategies = { totp: false, recovery_code: false, email_code: false, webauthn: false }
    fetchMock.mockRejectedValueOnce(httpError(422, { error: 'unsafe_config', error_description: 'would lock everyone out', fields: [{ path: 'mfa.strategies', message: 'the last MFA strategy cannot be switched off while enforcement is on' }] }))
    expect(await config.save()).toEqual({ ok: false, reason: 'unsafe' })
    expect(config.saveProblem?.code).toBe('unsafe_config')
    expect(config.issuesAt('mfa.strategies')[0]!.message).toMatch(/last MFA strategy/)
  })

  it('validates the draft once typing pauses, and only the last run counts', async () => {
    vi.useFakeTimers()
    const config = await loadedStore(7)
    fetchMock.mockResolvedValue({ ok: false, fields: [{ path: 'routes.public.2', message: 'bad pattern' }] })
    config.scheduleValidation(400)
    config.scheduleValidation(400)
    config.scheduleValidation(400)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(400)
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/config/validate', { method: 'POST', body: { document: baseDocument() } })
    expect(config.issuesAt('routes.public.2')).toEqual([{ path: 'routes.public.2', message: 'bad pattern' }])
  })

  it('imports a file over the loaded version, stripping the file\'s own version number', async () => {
    const config = await loadedStore(7)
    fetchMock.mockResolvedValueOnce({ version: 8, document: baseDocument() })
    await config.importDocument({ ...baseDocument(), version: 3 })
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/config/import', { method: 'POST', body: { version: 7, document: baseDocument() } })
    expect(config.version).toBe(8)
  })

  it('keeps an import refusal apart from the draft: the save bar stays clean', async () => {
    const config = await loadedStore(7)
    fetchMock.mockRejectedValueOnce(httpError(422, { error: 'invalid_config', error_description: 'bad file', fields: [{ path: 'mfa.enforce', message: 'expected off, all or rules' }] }))
    expect(await config.importDocument({ mfa: { enforce: 'sometimes' } })).toEqual({ ok: false, reason: 'invalid' })
    expect(config.importIssues).toEqual([{ path: 'mfa.enforce', message: 'expected off, all or rules' }])
    expect(config.saveIssues).toEqual([])
    expect(config.saveProblem).toBeNull()
    expect(config.version).toBe(7)
    fetchMock.mockRejectedValueOnce(httpError(409, { error: 'stale_version', error_description: 'x', currentVersion: 8, current: baseDocument() }))
    expect(await config.importDocument(baseDocument())).toEqual({ ok: false, reason: 'stale' })
    expect(config.conflict).toBeNull()
    expect(config.importProblem?.data.currentVersion).toBe(8)
  })

  it('lists each field complaint once when the draft check and the refused save agree', async () => {
    const config = await loadedStore(7)
    const issue = { path: 'routes.public.0', message: 'use a glob' }
    fetchMock.mockResolvedValueOnce({ ok: false, fields: [issue] })
    await config.validateDraft()
    fetchMock.mockRejectedValueOnce(httpError(422, { error: 'invalid_config', error_description: 'x', fields: [issue] }))
    await config.save()
    expect(config.issues).toEqual([issue])
    fetchMock.mockResolvedValueOnce({ version: 8, document: baseDocument() })
    await config.save()
    expect(config.issues).toEqual([])
  })

  it('records why a screen blocks saving, and clears it', async () => {
    const config = await loadedStore(7)
    config.setBlocker('claims-json', 'The claims template is not valid JSON (line 3, column 1)')
    config.setBlocker('other', 'x')
    config.setBlocker('other', null)
    expect(config.blockers).toEqual({ 'claims-json': 'The claims template is not valid JSON (line 3, column 1)' })
  })

  it('text held back by a blocker counts as an unsaved edit until discarded, even with the draft unchanged', async () => {
    const config = await loadedStore(7)
    expect(config.hasEdits).toBe(false)
    config.setBlocker('claims-json', 'The claims template is not valid JSON (line 3, column 12); fix it to save.')
    expect(config.dirty).toBe(false)
    expect(config.hasEdits).toBe(true)
    const discardsBefore = config.discards
    config.discard()
    // The draft did not change, so screens learn of the discard from the counter and rewrite their text.
    expect(config.discards).toBe(discardsBefore + 1)
    config.setBlocker('claims-json', null)
    expect(config.hasEdits).toBe(false)
  })

  it('reports a failed load with the server\'s words', async () => {
    fetchMock.mockRejectedValueOnce(httpError(403, { error: 'forbidden', error_description: 'You need the admin role.' }))
    const config = useGuardConfigStore()
    expect(await config.load()).toBe(false)
    expect(config.loadProblem).toMatchObject({ status: 403, code: 'forbidden', description: 'You need the admin role.' })
    expect(config.loaded).toBe(false)
  })
})

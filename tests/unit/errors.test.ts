/**
 * One error model: every code's HTTP status comes from a registry (the base
 * one, or an area's: MFA, WebAuthn rejections, session tokens), a wire name
 * never answers with two statuses except the two the contract spells
 * (`invalid_request`, `invalid_code`), and `defineGuardHandler` is the one
 * place a GuardError becomes `{ error, error_description, ...details }`.
 */
import { describe, expect, it } from 'vitest'
import { createApp, toWebHandler } from 'h3'
import { GUARD_ERROR_CODES, GuardError, type ErrorRegistry } from '#guard/core/errors'
import { ACCOUNT_ERROR_CODES } from '#guard/core/account/errors'
import { MFA_ERROR_CODES, MfaError, tooManyAttempts } from '#guard/core/mfa/errors'
import { WEBAUTHN_REJECTION_CODES, WebauthnRejectedError } from '#guard/core/mfa/webauthn/errors'
import { ORGANIZATION_ERROR_CODES } from '#guard/core/organizations/errors'
import { DataDirLockedError } from '#guard/core/store/db/data-dir-lock'
import { SESSION_TOKEN_ERROR_CODES } from '#guard/core/tokens/session-token'
import { TOKEN_AUDIENCE_ERROR_CODES } from '#guard/core/tokens/token-audience'
import { defineGuardHandler } from '#guard/server/utils/define-guard-handler'

const REGISTRIES: Record<string, ErrorRegistry> = { base: GUARD_ERROR_CODES, mfa: MFA_ERROR_CODES, webauthn: WEBAUTHN_REJECTION_CODES, sessionToken: SESSION_TOKEN_ERROR_CODES, account: ACCOUNT_ERROR_CODES, organizations: ORGANIZATION_ERROR_CODES, tokenAudience: TOKEN_AUDIENCE_ERROR_CODES }

describe('the registries', () => {
  it('give each code one status, wherever it is registered', () => {
    const seen = new Map<string, number>()
    for (const registry of Object.values(REGISTRIES)) {
      for (const [code, spec] of Object.entries(registry)) {
        expect(seen.get(code) ?? spec.status, code).toBe(spec.status)
        seen.set(code, spec.status)
      }
    }
  })

  it('answer a wire name with one status, except invalid_request (400/422) and invalid_code (401/400)', () => {
    const statuses = new Map<string, Set<number>>()
    for (const registry of Object.values(REGISTRIES)) {
      for (const [code, spec] of Object.entries(registry)) {
        const wire = spec.answersAs ?? code
        statuses.set(wire, (statuses.get(wire) ?? new Set()).add(spec.status))
      }
    }
    const shared = [...statuses].filter(([, set]) => set.size > 1).map(([wire, set]) => [wire, [...set].sort()])
    expect(shared.filter(([wire]) => wire !== 'invalid_request' && wire !== 'invalid_code')).toEqual([])
  })

  it('not_enrolled is 409, like already_enrolled and no_pending_enrollment: the account\'s state, not a malformed request', () => {
    expect([new MfaError('not_enrolled').status, new MfaError('already_enrolled').status, new MfaError('no_pending_enrollment').status]).toEqual([409, 409, 409])
  })
})

describe('GuardError', () => {
  it('takes its status and default description from the registry; the body spreads the details', () => {
    const error = new GuardError('user_not_found', undefined, { field: 'userId' })
    expect([error.status, error.code, error.description]).toEqual([404, 'user_not_found', GUARD_ERROR_CODES.user_not_found.description])
    expect(error.body()).toEqual({ error: 'user_not_found', error_description: GUARD_ERROR_CODES.user_not_found.description, field: 'userId' })
  })

  it('a code answering as another wire name sends that name', () => {
    expect(new GuardError('malformed_request', 'The request body is not valid JSON.').body()).toEqual({ error: 'invalid_request', error_description: 'The request body is not valid JSON.' })
    expect(new GuardError('malformed_request').status).toBe(400)
  })

  it('Retry-After comes from the details, else the registry', () => {
    expect(tooManyAttempts(840)).toMatchObject({ status: 429, retryAfterSeconds: 840, details: { retryAfterSeconds: 840 } })
    expect(new GuardError('temporarily_unavailable').retryAfterSeconds).toBe(5)
    expect(new GuardError('forbidden').retryAfterSeconds).toBeUndefined()
  })

  it('a refused passkey registration keeps its reason in the body and its technical detail out of it', () => {
    const refused = new WebauthnRejectedError('wrong_origin', 'clientDataJSON.origin https://evil.example')
    expect([refused.status, refused.code, refused.body()]).toEqual([400, 'wrong_origin', { error: 'invalid_code', error_description: WEBAUTHN_REJECTION_CODES.wrong_origin.description, reason: 'wrong_origin' }])
    expect(new WebauthnRejectedError('invalid_response').body()).toMatchObject({ error: 'invalid_request', field: 'response' })
  })

  it('a start-up failure answers the generic 503; the message naming files and processes stays in the log', () => {
    const locked = new DataDirLockedError('/srv/app/.data/guard/db', { pid: 41, hostname: 'web-1', startedAt: '2026-01-01T00:00:00.000Z', threadId: 0, token: 'x' }, false)
    expect([locked.status, locked.retryAfterSeconds, locked.body()]).toEqual([503, 5, { error: 'temporarily_unavailable', error_description: GUARD_ERROR_CODES.temporarily_unavailable.description }])
    expect(locked.message).toContain('in use by process 41 on web-1')
    expect(JSON.stringify(locked.body())).not.toContain('/srv/app')
  })

  it('refuses a code its registry does not have', () => {
    expect(() => new GuardError('invalid_code' as never)).toThrow(/unregistered error code "invalid_code"/)
  })
})

describe('defineGuardHandler translates once', () => {
  const serve = (handler: Parameters<typeof defineGuardHandler>[0]) => {
    const app = createApp().use('/x', defineGuardHandler(handler))
    return (init?: RequestInit) => toWebHandler(app)(new Request('http://guard.test/x', init))
  }

  it('any GuardError: its status, the body, no-store, and Retry-After where its code says', async () => {
    const response = await serve(() => { throw tooManyAttempts(120) })()
    expect([response.status, response.headers.get('retry-after'), response.headers.get('cache-control')]).toEqual([429, '120', 'no-store'])
    expect(await response.json()).toEqual({ error: 'too_many_attempts', error_description: 'Too many attempts; try again in 2 minutes.', retryAfterSeconds: 120 })
    const refused = await serve(() => { throw new MfaError('not_enrolled', 'Set up a second factor first.') })()
    expect([refused.status, await refused.json()]).toEqual([409, { error: 'not_enrolled', error_description: 'Set up a second factor first.' }])
  })

  it('a body that is not JSON: 415 unsupported_media_type from the registry', async () => {
    const response = await serve(() => ({ ok: true }))({ method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect([response.status, await response.json()]).toEqual([415, { error: 'unsupported_media_type', error_description: GUARD_ERROR_CODES.unsupported_media_type.description }])
  })
})

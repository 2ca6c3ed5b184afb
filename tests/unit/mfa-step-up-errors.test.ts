/**
 * Auth0's step-up error set for app code (core/mfa/step-up-errors.ts): the
 * bodies `toJSON()` gives, that each answers with its own status when thrown
 * from any h3 handler (never a 500), and `mfa_token_not_found` (404) from the
 * attacker's side: a sound token whose session was signed out, or whose
 * step-up was already done, cannot be spent — while another account's token
 * still says only `mfa_token_invalid` (nothing told across accounts).
 */
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp, defineEventHandler, toNodeListener } from 'h3'
import { GuardError } from '../../modules/guard/runtime/core/errors'
import { completeChallenge } from '../../modules/guard/runtime/core/mfa/challenge'
import { MfaRequiredError, MfaTokenError, MfaTokenExpiredError, MfaTokenInvalidError, MfaTokenNotFoundError } from '../../modules/guard/runtime/core/mfa/step-up-errors'
import { totpCodeAt } from '../../modules/guard/runtime/core/mfa/totp/otp'
import { enrollTotp, newUser, signInAgain, startMfaEngine, type MfaEngine } from '../support/mfa-engine'
import { rawRequest } from '../support/h3-app'

vi.setConfig({ testTimeout: 30_000 })

const REQUIREMENTS = { challenge: [{ type: 'totp' as const }], enroll: [{ type: 'webauthn' as const }] }

describe('the error classes', () => {
  it('toJSON() is the documented body; the fields are Auth0\'s; the status is the registry\'s', () => {
    const required = new MfaRequiredError('Confirm it is you.', 'the-token', REQUIREMENTS)
    expect(required.toJSON()).toEqual({ error: 'mfa_required', error_description: 'Confirm it is you.', mfa_token: 'the-token', mfa_requirements: REQUIREMENTS })
    expect(JSON.parse(JSON.stringify(required))).toEqual(required.toJSON())
    expect([required.status, required.error, required.error_description, required.mfa_token, required.mfa_requirements]).toEqual([403, 'mfa_required', 'Confirm it is you.', 'the-token', REQUIREMENTS])
    expect(new MfaRequiredError(undefined, 't').toJSON()).toEqual({ error: 'mfa_required', error_description: expect.stringMatching(/second factor/), mfa_token: 't' })
    expect(new MfaTokenExpiredError().toJSON()).toEqual({ error: 'mfa_token_expired', error_description: 'The mfa_token has expired; retry the original request to get a new one.' })
    expect(new MfaTokenInvalidError().toJSON()).toEqual({ error: 'mfa_token_invalid', error_description: 'The mfa_token is not valid; retry the original request to get a new one.' })
    expect(new MfaTokenNotFoundError().toJSON()).toEqual({ error: 'mfa_token_not_found', error_description: expect.stringMatching(/no longer in use/) })
    expect([new MfaTokenExpiredError().status, new MfaTokenInvalidError().status, new MfaTokenNotFoundError().status]).toEqual([401, 401, 404])
    for (const error of [new MfaTokenExpiredError(), new MfaTokenInvalidError(), new MfaTokenNotFoundError()]) {
      expect(error).toBeInstanceOf(MfaTokenError)
      expect(error).toBeInstanceOf(GuardError)
    }
  })

  it('thrown from a plain h3 handler, each answers with its status and its body as data (a plain Error would be a 500)', async () => {
    const throwing = { required: new MfaRequiredError('Step up.', 'tok', REQUIREMENTS), expired: new MfaTokenExpiredError(), invalid: new MfaTokenInvalidError(), gone: new MfaTokenNotFoundError(), plain: new Error('boom') }
    const app = createApp().use(defineEventHandler((event) => { throw throwing[event.path.slice(1) as keyof typeof throwing] }))
    const server = createServer(toNodeListener(app))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {}) // h3 logs the unhandled plain Error
    try {
      const answers: Record<string, [number, unknown]> = {}
      for (const name of Object.keys(throwing)) {
        const response = await rawRequest(origin, `/${name}`, { headers: { accept: 'application/json' } })
        answers[name] = [response.status, response.json().data]
      }
      expect(answers).toEqual({
        required: [403, throwing.required.toJSON()],
        expired: [401, throwing.expired.toJSON()],
        invalid: [401, throwing.invalid.toJSON()],
        gone: [404, throwing.gone.toJSON()],
        plain: [500, undefined],
      })
    }
    finally {
      logged.mockRestore()
      await new Promise(resolve => server.close(resolve))
    }
  })
})

describe('mfa_token_not_found (404): a sound token whose context is gone', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine({ mfa: { enforce: 'off', mfaTokenTtlSeconds: 300 } }) }, 60_000)
  afterAll(() => engine?.close())

  const refusal = (pending: Promise<unknown>) => pending.then(() => undefined, (error: unknown) => error as MfaTokenError)

  it('its session was signed out: presented by the same user\'s new session → 404, not "invalid"', async () => {
    const ada = await newUser(engine, 'ada')
    const token = await engine.guard.mfa.mintStepUpToken(ada.sessionId)
    await engine.guard.revokeSession(ada.sessionId)
    const again = await signInAgain(engine, ada.email)
    const error = await refusal(engine.guard.mfa.verifyStepUpToken(token, again.sessionId))
    expect(error).toBeInstanceOf(MfaTokenNotFoundError)
    expect([error?.status, error?.toJSON().error]).toEqual([404, 'mfa_token_not_found'])
  })

  it('another account\'s token, live or signed out, is only ever mfa_token_invalid (no telling across accounts whether it ended)', async () => {
    const alice = await newUser(engine, 'alice')
    const mallory = await newUser(engine, 'mallory')
    const stolen = await engine.guard.mfa.mintStepUpToken(alice.sessionId)
    expect(await refusal(engine.guard.mfa.verifyStepUpToken(stolen, mallory.sessionId))).toBeInstanceOf(MfaTokenInvalidError)
    await engine.guard.revokeSession(alice.sessionId)
    expect(await refusal(engine.guard.mfa.verifyStepUpToken(stolen, mallory.sessionId))).toBeInstanceOf(MfaTokenInvalidError)
  })

  it('it was used: after its step-up is done, the same token is refused with 404, before any code is looked at', async () => {
    const bob = await newUser(engine, 'bob')
    const { secret } = await enrollTotp(engine, bob)
    engine.clock.advance(600_000) // the second factor is now old: this is when a step-up token is issued
    const token = await engine.guard.mfa.mintStepUpToken(bob.sessionId)
    const done = await completeChallenge(engine.guard.mfa, { ...bob, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()), mfaToken: token })
    expect(done.claims.mfa?.c.totp).toBeGreaterThanOrEqual(Math.floor(engine.clock.now() / 1000))
    engine.clock.advance(30_000)
    const replay = await refusal(completeChallenge(engine.guard.mfa, { ...bob, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()), mfaToken: token }))
    expect(replay).toBeInstanceOf(MfaTokenNotFoundError)
    expect(replay?.toJSON()).toEqual({ error: 'mfa_token_not_found', error_description: expect.stringMatching(/already used/) })
    // The code it carried was not spent on the refused attempt: it still completes a challenge without the token.
    await expect(completeChallenge(engine.guard.mfa, { ...bob, factor: 'totp', code: totpCodeAt(secret, engine.clock.now()) })).resolves.toMatchObject({ token: expect.any(String) })
  })

  it('a fresh token of a live session still opens (the control), and an expired one is still mfa_token_expired', async () => {
    const carol = await newUser(engine, 'carol')
    const token = await engine.guard.mfa.mintStepUpToken(carol.sessionId)
    await expect(engine.guard.mfa.verifyStepUpToken(token, carol.sessionId)).resolves.toMatchObject({ sid: carol.sessionId })
    engine.clock.advance(301_000)
    expect(await refusal(engine.guard.mfa.verifyStepUpToken(token, carol.sessionId))).toBeInstanceOf(MfaTokenExpiredError)
  })
})

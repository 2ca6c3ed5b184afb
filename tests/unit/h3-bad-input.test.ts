/**
 * A request body the guard's API cannot use says, field by field, what to
 * send instead (real h3 app on a real guard): a missing field is "required",
 * a field of the wrong type says the type it must be — never zod's
 * "Invalid input: expected string, received undefined".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppClient, startGuardApp, type GuardApp } from '../support/h3-app'

let app: GuardApp
beforeAll(async () => { app = await startGuardApp() }, 60_000)
afterAll(async () => { await app?.close() })

describe('bad input on the guard API', () => {
  it('a missing field is required; a wrong type says the type; the first one leads the description', async () => {
    const answer = await new AppClient(app.origin).send('/api/_guard/sign-in', { json: { email: 42 } })
    expect(answer.status).toBe(422)
    expect(answer.json()).toMatchObject({
      error: 'invalid_request',
      error_description: 'email: must be a string',
      fields: { email: 'must be a string', password: 'required (a string)' },
    })
    expect(answer.body).not.toContain('Invalid input')
  })

  it('a body that is not an object says "must be an object", whatever JSON it is', async () => {
    for (const body of ['[1,2,3]', '42', '"x"']) {
      const answer = await new AppClient(app.origin).send('/api/_guard/sign-in', { body, headers: { 'content-type': 'application/json' } })
      expect([answer.status, answer.json().error_description], body).toEqual([422, 'body: must be an object'])
    }
  })
})

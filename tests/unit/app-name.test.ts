import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { namedMailer } from '../../modules/guard/runtime/core/mail/named'
import type { MailMessage } from '../../modules/guard/runtime/core/mail/mailer'
import { requestPasswordReset } from '../../modules/guard/runtime/core/password-reset/request'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

describe('the application\'s name in emails', () => {
  it('namedMailer starts each subject with the name; without one it is the mailer itself', async () => {
    const sent: MailMessage[] = []
    const mailer = { send: async (message: MailMessage) => { sent.push(message) } }
    await namedMailer(mailer, ' Acme ').send({ to: 'a@b.test', subject: 'Reset your password', text: 'x' })
    expect(sent[0]).toEqual({ to: 'a@b.test', subject: 'Acme: Reset your password', text: 'x' })
    expect(namedMailer(mailer, '')).toBe(mailer)
    expect(namedMailer(mailer)).toBe(mailer)
  })

  describe('a guard started with appName', () => {
    let engine: MfaEngine
    beforeAll(async () => { engine = await startMfaEngine({}, { appName: 'Acme' }) }, 60_000)
    afterAll(async () => { await engine?.close() })

    it('names itself in the reset email\'s subject', async () => {
      const user = await newUser(engine, 'named')
      await (await requestPasswordReset(engine.guard, { email: user.email, ip: '10.9.9.9' })).delivery
      expect(engine.mail.at(-1)).toMatchObject({ to: user.email, subject: 'Acme: Reset your password' })
    })
  })
})

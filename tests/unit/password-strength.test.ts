import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { assertAcceptablePassword } from '../../modules/guard/runtime/core/passwords/check'
import { estimateStrength, strengthEstimatorState } from '../../modules/guard/runtime/core/passwords/strength'
import { loadEstimatorInProcess } from '../../modules/guard/runtime/core/passwords/estimator'
import { StrengthThread } from '../../modules/guard/runtime/core/passwords/strength-thread'
import { containedPersonalWord, personalWords } from '../../modules/guard/runtime/core/passwords/personal'
import { passwordLength } from '../../modules/guard/runtime/core/passwords/lengths'
import { signUpSchema } from '../../modules/guard/runtime/core/engine/credentials'
import { requestPasswordReset } from '../../modules/guard/runtime/core/password-reset/request'
import { confirmPasswordReset } from '../../modules/guard/runtime/core/password-reset/confirm'
import { newUser, startMfaEngine, type MfaEngine } from '../support/mfa-engine'

/** The parts of a guard the check reads: the site's name and the breached-password switch (off here). */
const guard = { appName: 'Acme', live: { policy: { config: { account: { breachedPasswordCheck: false } } } } } as unknown as Guard
const EMAIL = 'ada.lovelace@example.test'

/** What the check refused with (`undefined`: accepted). */
async function refusal(password: string, email = EMAIL): Promise<{ code: string; status: number; description: string; details: Record<string, unknown> } | undefined> {
  try {
    await assertAcceptablePassword(guard, password, { email })
    return undefined
  }
  catch (error) {
    return error as never
  }
}

describe('new passwords people could guess (zxcvbn-ts, NIST SP 800-63B)', () => {
  it('loads nothing until the first password is judged, then estimates on a thread of its own', async () => {
    expect(strengthEstimatorState()).toBe('idle')
    const first = performance.now()
    await estimateStrength('warm-up passphrase', [])
    const firstMs = performance.now() - first
    expect(strengthEstimatorState()).toBe('thread')
    const warm = performance.now()
    for (let i = 0; i < 10; i++) await estimateStrength(`kangaroo violin paperclip ${i}`, personalWords(EMAIL, 'Acme'))
    const warmMs = (performance.now() - warm) / 10
    console.info(`[password-strength] first estimate ${firstMs.toFixed(0)} ms (thread start + dictionaries), warm ${warmMs.toFixed(1)} ms each`)
    expect(warmMs).toBeLessThan(firstMs)
  })

  it.each([
    ['password1', /commonly used password/],
    ['qwertyuiop', /frequently used password/],
    ['iloveyou12', /similar to a commonly used password/],
    ['P@ssw0rd!', /similar to a commonly used password.*predictable letter substitutions/],
    ['12345678', /heavily used password/],
    ['aaaaaaaaaaaa', /Repeated characters/],
    ['Summer2024!', /less common/],
  ])('refuses %s with 422 weak_password and says why and what to do', async (password, reason) => {
    const refused = await refusal(password)
    expect(refused).toMatchObject({ code: 'weak_password', status: 422, details: { field: 'password' } })
    expect(refused!.description).toMatch(reason)
    expect(refused!.description).toMatch(/Add |Avoid |Capitalize /)
    expect(refused!.details.fields).toEqual({ password: refused!.description })
  })

  it('refuses passwords made of the email address\'s name or the site\'s name', async () => {
    for (const password of ['ada.lovelace1815', 'AdaLovelace!!', 'my name is ada-lovelace']) {
      const refused = await refusal(password)
      expect(refused, password).toMatchObject({ code: 'weak_password', status: 422 })
      expect(refused!.description).toContain('your email address\'s name (ada.lovelace)')
    }
    const app = await refusal('acme rules forever 2024')
    expect(app).toMatchObject({ code: 'weak_password' })
    expect(app!.description).toContain('this site\'s name (Acme)')
    // A short name is left to zxcvbn, which weighs it as the likeliest word: `bo` + digits is still refused.
    expect(containedPersonalWord('cicada lemon tree', 'ada@example.test')).toBeUndefined()
    expect(await refusal('bo12345678', 'bo@example.test')).toMatchObject({ code: 'weak_password' })
    expect(await refusal('cicada lemon tree', 'ada@example.test')).toBeUndefined()
  })

  it('accepts good passphrases, including the ones the other suites sign up with', async () => {
    for (const password of ['kangaroo violin paperclip', 'correct horse battery', 'a new passphrase', 'a whole new passphrase', 'blue whale sings loudly']) {
      expect(await refusal(password), password).toBeUndefined()
    }
  })

  it('asks for at least 8 characters, counted as code points, and accepts 64 and far more', async () => {
    expect(await refusal('Xk#9v!L')).toMatchObject({ code: 'weak_password', description: expect.stringContaining('at least 8 characters') })
    // Eight random characters are 10^8 guesses by zxcvbn's brute-force model: just enough.
    expect(await refusal('Xk#9v!Lq')).toBeUndefined()
    expect(await refusal('zebrahut')).toMatchObject({ code: 'weak_password' })
    // Four keys are 8 UTF-16 units but 4 characters.
    expect(passwordLength('🔑🔑🔑🔑')).toBe(4)
    expect(await refusal('🔑🔑🔑🔑')).toMatchObject({ code: 'weak_password', description: expect.stringContaining('at least 8') })
    const long64 = 'the narrow river bends past seven quiet mills at dusk, then sleeps'
    expect(passwordLength(long64)).toBeGreaterThanOrEqual(64)
    expect(await refusal(long64)).toBeUndefined()
    const long256 = 'lantern orchard quietly hums '.repeat(9).slice(0, 256)
    expect(await refusal(long256)).toBeUndefined()
    expect(signUpSchema.safeParse({ email: EMAIL, password: long256 }).success).toBe(true)
    expect(await refusal(`${long256}x`)).toMatchObject({ code: 'invalid_request', status: 422, details: { field: 'password' } })
    expect(signUpSchema.safeParse({ email: EMAIL, password: 'short12' }).success).toBe(false)
  })

  it('judges unicode passphrases like any other', async () => {
    for (const password of ['mot de passe très sûr', 'пароль надежный очень', 'Grüße aus München, Käthe', '我的密码很安全的呢', 'ÇA VA BIEN MERCI 🐧🐧']) {
      expect(await refusal(password), password).toBeUndefined()
    }
    expect(await refusal('ääääääää')).toMatchObject({ code: 'weak_password', description: expect.stringContaining('Repeated characters') })
    // NFKC: full-width letters are the same name.
    expect(containedPersonalWord('ＡＤＡＬＯＶＥＬＡＣＥ ok', EMAIL)).toEqual({ kind: 'email', word: 'ada.lovelace' })
  })

  it('the in-process estimator (no thread) and the thread agree', async () => {
    const inProcess = await loadEstimatorInProcess()
    for (const password of ['password1', 'iloveyou12', 'kangaroo violin paperclip', 'ada.lovelace1']) {
      const inputs = personalWords(EMAIL, 'Acme')
      expect(inProcess(password, inputs)).toEqual(await estimateStrength(password, inputs))
    }
  })

  it('a stopped thread is replaced at the next estimate', async () => {
    const thread = new StrengthThread()
    expect((await thread.estimate('password1', [])).score).toBe(0)
    await thread.stop()
    expect(thread.started).toBe(false)
    expect((await thread.estimate('kangaroo violin paperclip', [])).score).toBeGreaterThanOrEqual(3)
    await thread.stop()
  })

  it('only the first 64 characters are analysed, and the event loop keeps turning while a hard one is', async () => {
    const symbols = '4@^8(<{[6&9#!1|l0$5+7%2()/\\><\'3'
    const worst = Array.from({ length: 256 }, (_, i) => symbols[(i * 7) % symbols.length]).join('')
    expect(await estimateStrength(worst, [])).toEqual(await estimateStrength(worst.slice(0, 64), []))
    let turns = 0
    let turning = true
    const turn = () => { turns++; if (turning) setImmediate(turn) }
    setImmediate(turn)
    const started = performance.now()
    await estimateStrength(worst.slice(3, 67), [])
    const tookMs = performance.now() - started
    turning = false
    console.info(`[password-strength] a 64-symbol leetspeak estimate took ${tookMs.toFixed(0)} ms; the event loop turned ${turns} times meanwhile`)
    expect(turns).toBeGreaterThan(3)
  })
})

describe('where new passwords are judged: the password reset', () => {
  let engine: MfaEngine
  beforeAll(async () => { engine = await startMfaEngine() }, 60_000)
  afterAll(async () => { await engine?.close() })

  it('refuses a weak new password before the code, so no try is spent, and accepts a strong one after', async () => {
    const user = await newUser(engine, 'weak-reset')
    await (await requestPasswordReset(engine.guard, { email: user.email, ip: '10.9.0.1' })).delivery
    const code = /code is ([A-Z0-9-]+)\./.exec(engine.mail.filter(m => m.to === user.email).at(-1)!.text)![1]!
    for (let i = 0; i < 6; i++) {
      const weak = await confirmPasswordReset(engine.guard, { email: user.email, code, password: 'password1', ip: '10.9.0.2' }).catch(error => error)
      expect(weak).toMatchObject({ code: 'weak_password', status: 422 })
    }
    // Six refusals, more than the code's 5 tries: the code still works.
    await expect(confirmPasswordReset(engine.guard, { email: user.email, code, password: 'kangaroo violin paperclip', ip: '10.9.0.2' })).resolves.toMatchObject({ revokedSessions: 1 })
  })
})

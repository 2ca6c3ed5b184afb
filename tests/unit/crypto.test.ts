import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../modules/guard/runtime/core/crypto/password'
import { seal, unseal } from '../../modules/guard/runtime/core/crypto/sealed'
import { MIN_SECRET_BYTES, deriveKey, describeSecretProblem } from '../../modules/guard/runtime/core/crypto/secret'
import { newId, randomToken, sha256 } from '../../modules/guard/runtime/core/crypto/random'

const PASSWORD = 'correct horse battery staple'

describe('hashPassword / verifyPassword', () => {
  let stored: string
  beforeAll(async () => { stored = await hashPassword(PASSWORD) })

  it('stores scheme, parameters, salt and hash', () => {
    const parts = stored.split('$')
    expect(parts).toHaveLength(6)
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '1'])
    expect(Buffer.from(parts[4]!, 'base64url')).toHaveLength(16)
    expect(Buffer.from(parts[5]!, 'base64url')).toHaveLength(32)
    expect(stored).not.toContain(PASSWORD)
  })

  it('the right password verifies, a wrong one does not', async () => {
    expect(await verifyPassword(PASSWORD, stored)).toBe(true)
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false)
    expect(await verifyPassword('Correct horse battery staple', stored)).toBe(false)
    expect(await verifyPassword(`${PASSWORD} `, stored)).toBe(false)
    expect(await verifyPassword('', stored)).toBe(false)
  })

  it('normalises unicode with NFKC: the ligature "ﬁ" and "fi" are one password', async () => {
    const ligature = await hashPassword('\uFB01sh-and-chips')
    expect(await verifyPassword('fish-and-chips', ligature)).toBe(true)
    const plain = await hashPassword('fish-and-chips')
    expect(await verifyPassword('\uFB01sh-and-chips', plain)).toBe(true)
    // composed vs decomposed é
    const composed = await hashPassword('caf\u00E9-au-lait')
    expect(await verifyPassword('cafe\u0301-au-lait', composed)).toBe(true)
    // normalisation does not make different letters equal
    expect(await verifyPassword('flsh-and-chips', ligature)).toBe(false)
  })

  it('two hashes of the same password differ (random salt) and both verify', async () => {
    const other = await hashPassword(PASSWORD)
    expect(other).not.toBe(stored)
    expect(other.split('$')[4]).not.toBe(stored.split('$')[4])
    expect(other.split('$')[5]).not.toBe(stored.split('$')[5])
    expect(await verifyPassword(PASSWORD, other)).toBe(true)
  })

  it('structurally malformed stored hashes never verify', async () => {
    const [, N, r, p, salt, hash] = stored.split('$')
    const malformed = [
      '',
      'garbage',
      'scrypt',
      'scrypt$$$$$',
      `bcrypt$${N}$${r}$${p}$${salt}$${hash}`,
      `scrypt$${N}$${r}$${p}$${salt}`,
      `scrypt$${N}$${r}$${p}$${salt}$`,
      `scrypt$${N}$${r}$${p}$$${hash}`,
      `scrypt$${N}$${r}$${p}$${salt}$${hash!.slice(0, 20)}`,
      `scrypt$${N}$${r}$${p}$${salt}$${hash}AAAA`,
      `scrypt$${N}$${r}$${p}$${randomBytes(16).toString('base64url')}$${hash}`,
    ]
    for (const value of malformed) expect([value, await verifyPassword(PASSWORD, value)]).toEqual([value, false])
  })

  it('stored hashes with malformed scrypt parameters resolve to false (they must not throw)', async () => {
    const [, , , , salt, hash] = stored.split('$')
    const malformed = [
      `scrypt$abc$8$1$${salt}$${hash}`,
      `scrypt$3$8$1$${salt}$${hash}`,
      `scrypt$32768$-1$1$${salt}$${hash}`,
      `scrypt$1073741824$8$1$${salt}$${hash}`,
    ]
    for (const value of malformed) {
      const outcome = await verifyPassword(PASSWORD, value).then(result => result, (error: Error) => `threw: ${error.message}`)
      expect([value, outcome]).toEqual([value, false])
    }
  })

  it('the decoy hash is a real, reusable scrypt hash that the empty password does not match', async () => {
    const decoy = await decoyPasswordHash()
    expect(await decoyPasswordHash()).toBe(decoy)
    expect(decoy.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '1'])
    expect(await verifyPassword('', decoy)).toBe(false)
  })

  it('the event loop stays responsive while 4 hashes run', async () => {
    let immediates = 0
    let running = true
    const spin = () => { immediates++; if (running) setImmediate(spin) }
    let intervals = 0
    const interval = setInterval(() => { intervals++ }, 1)
    let maxGapMs = 0
    let last = performance.now()
    const gaps = setInterval(() => {
      const now = performance.now()
      maxGapMs = Math.max(maxGapMs, now - last)
      last = now
    }, 1)
    setImmediate(spin)
    const started = performance.now()
    const hashes = await Promise.all([1, 2, 3, 4].map(i => hashPassword(`password-${i}`)))
    const elapsedMs = performance.now() - started
    running = false
    clearInterval(interval)
    clearInterval(gaps)
    expect(new Set(hashes).size).toBe(4)
    // Sanity: hashing takes real time, so a blocking implementation would starve the loop.
    expect(elapsedMs).toBeGreaterThan(30)
    expect(immediates).toBeGreaterThan(100)
    expect(intervals).toBeGreaterThan(10)
    expect(maxGapMs).toBeLessThan(Math.max(50, elapsedMs / 2))
  })
})

describe('seal / unseal', () => {
  const key = new Uint8Array(randomBytes(32))

  it('round-trips, with a fresh IV each time', async () => {
    const secret = 'JBSWY3DPEHPK3PXP — ünïcode ✓'
    const a = await seal(secret, key)
    const b = await seal(secret, key)
    expect(a).not.toBe(b)
    expect(a).not.toContain('JBSWY3DPEHPK3PXP')
    expect(a.split('.')).toHaveLength(5)
    expect(await unseal(a, key)).toBe(secret)
    expect(await unseal(b, key)).toBe(secret)
  })

  it('a tampered ciphertext, tag, IV or header throws', async () => {
    const sealed = await seal('top secret value', key)
    const parts = sealed.split('.')
    const flip = (segment: string) => {
      const bytes = Buffer.from(segment, 'base64url')
      bytes[0] = bytes[0]! ^ 0x01
      return bytes.toString('base64url')
    }
    for (const index of [0, 2, 3, 4]) {
      const tampered = parts.map((part, i) => (i === index ? flip(part) : part)).join('.')
      expect(tampered).not.toBe(sealed)
      await expect(unseal(tampered, key)).rejects.toThrow()
    }
    await expect(unseal(sealed.slice(0, -2), key)).rejects.toThrow()
    await expect(unseal('not.a.jwe', key)).rejects.toThrow()
  })

  it('the wrong key throws', async () => {
    const sealed = await seal('top secret value', key)
    await expect(unseal(sealed, new Uint8Array(randomBytes(32)))).rejects.toThrow()
    await expect(unseal(sealed, deriveKey('x'.repeat(32), 'seal'))).rejects.toThrow()
    expect(await unseal(sealed, key)).toBe('top secret value')
  })
})

describe('deriveKey', () => {
  const secret = randomBytes(32).toString('base64url')

  it('is 32 bytes, deterministic, and differs per purpose and per secret', () => {
    const purposes = ['seal', 'mfa-token', 'device', 'code-pepper'] as const
    const keys = purposes.map(purpose => deriveKey(secret, purpose))
    for (const key of keys) {
      expect(key).toBeInstanceOf(Uint8Array)
      expect(key.length).toBe(32)
    }
    expect(new Set(keys.map(key => Buffer.from(key).toString('hex'))).size).toBe(4)
    expect(Buffer.from(deriveKey(secret, 'seal')).equals(Buffer.from(keys[0]!))).toBe(true)
    const other = deriveKey(`${secret}x`, 'seal')
    expect(Buffer.from(other).equals(Buffer.from(keys[0]!))).toBe(false)
    // never the secret itself
    expect(Buffer.from(keys[0]!).toString('utf8')).not.toBe(secret.slice(0, 32))
  })
})

describe('describeSecretProblem', () => {
  it('undefined and empty: not set', () => {
    expect(describeSecretProblem(undefined)).toMatch(/^NUXT_GUARD_SECRET is not set\. Generate one once with: .*randomBytes\(32\)/)
    expect(describeSecretProblem('')).toMatch(/^NUXT_GUARD_SECRET is not set\./)
  })

  it('31 bytes: too short, saying how long it is and must be', () => {
    expect(MIN_SECRET_BYTES).toBe(32)
    expect(describeSecretProblem('a'.repeat(31))).toMatch(/^NUXT_GUARD_SECRET is 31 bytes; it needs at least 32\. Generate one once with/)
  })

  it('32 bytes: fine; bytes, not characters, are counted', () => {
    expect(describeSecretProblem('a'.repeat(32))).toBeUndefined()
    expect(describeSecretProblem('é'.repeat(16))).toBeUndefined() // 16 characters, 32 bytes
    expect(describeSecretProblem('é'.repeat(15))).toMatch(/is 30 bytes/)
  })
})

describe('random', () => {
  it('ids, tokens and sha256 have the documented shapes', () => {
    expect(newId('user')).toMatch(/^user_[A-Za-z0-9_-]{22}$/)
    expect(newId('user')).not.toBe(newId('user'))
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  })
})

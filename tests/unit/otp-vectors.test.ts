import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Secret } from 'otpauth'
import { hotpCode, matchTotpStep, totpCodeAt, type OtpAlgorithm } from '../../modules/guard/runtime/core/mfa/totp/otp'

// The published values, recomputed and checked (see the file's note on the longer SHA256/SHA512 seeds).
const vectors = JSON.parse(readFileSync(new URL('../fixtures/otp-vectors.json', import.meta.url), 'utf8'))
const base32 = (ascii: string) => Secret.fromLatin1(ascii).base32
const ALGORITHMS: [OtpAlgorithm, 'sha1' | 'sha256' | 'sha512'][] = [['SHA1', 'sha1'], ['SHA256', 'sha256'], ['SHA512', 'sha512']]
const { digits, period } = vectors.rfc6238

describe('RFC 6238 Appendix B through the server\'s TOTP code path', () => {
  for (const [algorithm, column] of ALGORITHMS) {
    const seed: string = vectors.rfc6238.seeds_ascii[column]
    it(`${algorithm} with the ${seed.length}-byte seed`, () => {
      for (const row of vectors.rfc6238.rows) {
        expect(totpCodeAt(base32(seed), row.time * 1000, { algorithm, digits, period }), `T=${row.time}`).toBe(row[column])
      }
    })
  }

  it('the verifier accepts each vector at its own time and names its step', () => {
    for (const row of vectors.rfc6238.rows) {
      const step = matchTotpStep(base32(vectors.rfc6238.seeds_ascii.sha1), row.sha1, row.time * 1000, { algorithm: 'SHA1', digits, period })
      expect(step).toBe(Math.floor(row.time / period))
    }
  })

  it('the 20-byte seed does not produce the SHA256 column (the RFC text is misleading)', () => {
    const row = vectors.rfc6238.rows[0]
    expect(totpCodeAt(base32(vectors.rfc6238.seeds_ascii.sha1), row.time * 1000, { algorithm: 'SHA256', digits, period })).not.toBe(row.sha256)
  })
})

describe('RFC 4226 Appendix D through the server\'s HOTP code path', () => {
  it('counters 0 to 9 give the published six-digit values', () => {
    const secret = base32(vectors.rfc4226.seed_ascii)
    const codes = vectors.rfc4226.hotp.map((_: string, counter: number) => hotpCode(secret, counter, { algorithm: 'SHA1', digits: vectors.rfc4226.digits, period: 30 }))
    expect(codes).toEqual(vectors.rfc4226.hotp)
  })

  it('TOTP at T = counter × 30 s is HOTP(counter): the default parameters are the HOTP ones', () => {
    const secret = base32(vectors.rfc4226.seed_ascii)
    vectors.rfc4226.hotp.forEach((code: string, counter: number) => expect(totpCodeAt(secret, counter * 30_000)).toBe(code))
  })
})

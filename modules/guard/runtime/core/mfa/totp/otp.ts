import { timingSafeEqual } from 'node:crypto'
import { HOTP, Secret, TOTP } from 'otpauth'
import { renderSVG } from 'uqr'

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512'

export interface OtpParameters { algorithm: OtpAlgorithm; digits: number; period: number }

/** What authenticator apps expect, and what every nuxt-guard TOTP factor uses. */
export const TOTP_PARAMETERS: OtpParameters = { algorithm: 'SHA1', digits: 6, period: 30 }
/** 160-bit secrets, as RFC 4226 recommends. */
export const TOTP_SECRET_BYTES = 20
/** Steps accepted either side of now (clock drift): ±1. */
export const TOTP_WINDOW = 1

/**
 * A new random TOTP secret, base32 (the form apps and the otpauth URI use).
 *
 * @example
 * const secret = newTotpSecret() // 'JBSWY3DPEHPK3PXP…' (32 characters)
 */
export function newTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32
}

/**
 * The HOTP value for a counter (RFC 4226): the one code path behind every
 * TOTP code nuxt-guard computes.
 *
 * @example
 * hotpCode(Secret.fromLatin1('12345678901234567890').base32, 0, { algorithm: 'SHA1', digits: 6, period: 30 }) // '755224'
 */
export function hotpCode(base32Secret: string, counter: number, parameters: OtpParameters = TOTP_PARAMETERS): string {
  return HOTP.generate({ secret: Secret.fromBase32(base32Secret), counter, algorithm: parameters.algorithm, digits: parameters.digits })
}

/**
 * The time step of a moment (RFC 6238, T0 = 0).
 *
 * @example
 * totpStep(59_000) // 1
 */
export function totpStep(timestampMs: number, period = TOTP_PARAMETERS.period): number {
  return Math.floor(timestampMs / 1000 / period)
}

/**
 * The TOTP code at a moment (RFC 6238).
 *
 * @example
 * totpCodeAt(secret, Date.now()) // '492039'
 */
export function totpCodeAt(base32Secret: string, timestampMs: number, parameters: OtpParameters = TOTP_PARAMETERS): string {
  return hotpCode(base32Secret, totpStep(timestampMs, parameters.period), parameters)
}

/**
 * The time step a submitted code belongs to, within ±TOTP_WINDOW steps of
 * now, or `undefined`. Compared in constant time. The caller must still
 * consume the step (a code is accepted at most once).
 *
 * @example
 * const step = matchTotpStep(secret, '492039', Date.now())
 * if (step === undefined) throw invalidCode()
 */
export function matchTotpStep(base32Secret: string, code: string, nowMs: number, parameters: OtpParameters = TOTP_PARAMETERS): number | undefined {
  const submitted = Buffer.from(code.replace(/\s+/g, ''))
  const current = totpStep(nowMs, parameters.period)
  let matched: number | undefined
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    const expected = Buffer.from(hotpCode(base32Secret, step, parameters))
    if (expected.length === submitted.length && timingSafeEqual(expected, submitted) && matched === undefined) matched = step
  }
  return matched
}

/**
 * The `otpauth://totp/…` URI an authenticator app scans, with issuer and account.
 *
 * @example
 * totpUri(secret, { issuer: 'Acme', account: 'ada@example.com' }) // 'otpauth://totp/Acme:ada%40example.com?issuer=Acme&secret=…'
 */
export function totpUri(base32Secret: string, { issuer, account }: { issuer: string; account: string }): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(base32Secret), ...TOTP_PARAMETERS }).toString()
}

/**
 * The QR code of an otpauth URI, as an SVG document.
 *
 * @example
 * const svg = qrSvg(totpUri(secret, { issuer, account })) // '<svg …'
 */
export function qrSvg(uri: string): string {
  return renderSVG(uri, { border: 2 })
}

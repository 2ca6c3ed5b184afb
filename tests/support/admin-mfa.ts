import { URI, type TOTP } from 'otpauth'
import { expect } from 'vitest'
import type { CookieClient } from './http-client'

/**
 * Enrolls an authenticator app for the signed-in `client` through the MFA API
 * (POST /mfa/totp/enroll, then /mfa/totp/verify with a code computed from the
 * returned otpauth URI); the factor counts as completed in that session.
 * Returns the generator, for codes later on.
 */
export async function enrollTotp(client: CookieClient): Promise<TOTP> {
  const enroll = await client.send('/api/_guard/mfa/totp/enroll', { json: {} })
  expect(enroll.status, enroll.body).toBe(200)
  const totp = URI.parse(enroll.json().uri) as TOTP
  const verify = await client.send('/api/_guard/mfa/totp/verify', { json: { code: totp.generate() } })
  expect(verify.status, verify.body).toBe(200)
  expect(verify.json()).toMatchObject({ enrolled: true, factor: 'totp' })
  return totp
}

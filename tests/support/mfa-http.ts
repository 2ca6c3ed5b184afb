import { expect } from 'vitest'
import { Secret, TOTP } from 'otpauth'
import type { CookieClient } from './http-client'

/** The code an authenticator app shows `steps` time steps from now, computed here with otpauth (not the server's code). */
export function appCode(base32Secret: string, steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(base32Secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + steps * 30_000 })
}

/** Any cookie-keeping test client: the e2e CookieClient, the consumer tests' ConsumerClient. */
export interface HttpSender {
  send(path: string, init?: { method?: string; json?: unknown }): Promise<{ status: number; body: string; json(): any }>
}

/** Enrolls an authenticator app over HTTP with the code of the current step; returns the secret and the recovery codes. */
export async function enrollTotpOverHttp(client: HttpSender): Promise<{ secret: string; recoveryCodes?: string[] }> {
  const enroll = await client.send('/api/_guard/mfa/totp/enroll', { json: {} })
  expect(enroll.status, enroll.body).toBe(200)
  const { secret, uri, qrSvg } = enroll.json()
  expect(uri).toMatch(/^otpauth:\/\/totp\//)
  expect(qrSvg).toMatch(/^<svg/)
  const verify = await client.send('/api/_guard/mfa/totp/verify', { json: { code: appCode(secret) } })
  expect(verify.status, verify.body).toBe(200)
  return { secret, recoveryCodes: verify.json().recoveryCodes }
}

/** POST /mfa/challenge. */
export function challenge(client: CookieClient, json: Record<string, unknown>) {
  return client.send('/api/_guard/mfa/challenge', { json })
}

import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FactorId } from '../config/schema'
import { newId, randomToken, sha256 } from '../crypto/random'
import { deriveKey } from '../crypto/secret'
import { enrolledFactorTypes } from '../store/factors'
import { findRememberedDevice, insertRememberedDevice } from '../store/remembered-devices'
import type { MfaCore } from './service'

const sign = (key: Uint8Array, userId: string, token: string) => createHmac('sha256', key).update(`${userId}.${token}`).digest('base64url')

/**
 * Remembers this device for `mfa.rememberDeviceDays`: a server record (token
 * hash) plus the signed cookie value to set. `undefined` when the config
 * has remembering switched off (0 days).
 *
 * @example
 * const remembered = await rememberDevice(guard.mfa, { userId, factor: 'totp', userAgent })
 * if (remembered) setCookie(event, 'guard_device', remembered.cookie, { maxAge: remembered.maxAgeSeconds })
 */
export async function rememberDevice(mfa: MfaCore, input: { userId: string; factor: FactorId; userAgent?: string }): Promise<{ cookie: string; maxAgeSeconds: number } | undefined> {
  const days = mfa.config.rememberDeviceDays
  if (days <= 0) return undefined
  const token = randomToken()
  const now = mfa.nowDate()
  await insertRememberedDevice(mfa.db, {
    id: newId('dev'), userId: input.userId, factor: input.factor, tokenHash: sha256(token), now, expiresAt: new Date(now.getTime() + days * 86_400_000), userAgent: input.userAgent,
  })
  return { cookie: `${token}.${sign(deriveKey(mfa.deps.secret, 'device'), input.userId, token)}`, maxAgeSeconds: days * 86_400 }
}

/**
 * The factor a remembered device stands in for, and since when, or
 * `undefined`: a forged or foreign cookie, a revoked or expired record, a
 * device voided by a factor change, a strategy switched off, or a setting of 0 days.
 *
 * @example
 * const device = await recognizeDevice(guard.mfa, user.id, readCookie(header, 'guard_device'))
 * if (device) await guard.mfa.complete(sessionId, device.factor, device.sinceSeconds)
 */
export async function recognizeDevice(mfa: MfaCore, userId: string, cookie: string | undefined): Promise<{ factor: FactorId; sinceSeconds: number } | undefined> {
  if (!cookie || mfa.config.rememberDeviceDays <= 0) return undefined
  const [token, signature] = cookie.split('.')
  if (!token || !signature) return undefined
  const expected = Buffer.from(sign(deriveKey(mfa.deps.secret, 'device'), userId, token))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
  const device = await findRememberedDevice(mfa.db, userId, sha256(token), mfa.nowDate())
  const factor = device?.factor as FactorId | undefined
  if (!device || !factor || !mfa.config.strategies[factor]) return undefined
  if (!(await enrolledFactorTypes(mfa.db, userId)).includes(factor)) return undefined
  const ageDays = (mfa.deps.now() - device.createdAt.getTime()) / 86_400_000
  if (ageDays > mfa.config.rememberDeviceDays) return undefined
  return { factor, sinceSeconds: Math.floor(device.createdAt.getTime() / 1000) }
}

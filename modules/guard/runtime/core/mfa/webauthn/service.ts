import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { newId } from '../../crypto/random'
import {
  verifyWebauthnAuthentication, verifyWebauthnRegistration, WEBAUTHN_CHALLENGE_TTL_SECONDS, webauthnAuthenticationOptions,
  WebauthnRejectedError, webauthnRegistrationOptions, webauthnRelyingParty, type StoredWebauthnCredential,
} from './ceremony'
import { confirmFactor, insertFactor, listFactors, updateWebauthnCounter, type FactorRecord } from '../../store/factors'
import { saveWebauthnChallenge, takeWebauthnChallenge } from '../../store/webauthn-challenges'
import type { MfaCore } from '../service'
import { MfaError } from '../errors'
import { factorUse, requireEnrollmentRight } from '../reenroll'
import type { IssuedToken } from '../../engine/sessions'

const credentialOf = (factor: FactorRecord) => factor.data as unknown as StoredWebauthnCredential

/**
 * Registration options for a new passkey or security key; the challenge is
 * kept for this session, once, for 5 minutes.
 *
 * @example
 * const options = await webauthnRegisterOptions(guard.mfa, { userId, sessionId, email, origin: 'https://app.example.com' })
 */
export async function webauthnRegisterOptions(mfa: MfaCore, input: { userId: string; sessionId: string; email: string; origin: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
  mfa.assertStrategy('webauthn')
  await requireEnrollmentRight(mfa, input.sessionId, input.userId)
  const rp = webauthnRelyingParty(input.origin)
  const existing = (await listFactors(mfa.db, input.userId, { type: 'webauthn' })).map(credentialOf)
  const { options, challenge } = await webauthnRegistrationOptions({ rpId: rp.rpId, user: { id: input.userId, email: input.email }, existing })
  await saveWebauthnChallenge(mfa.db, input.sessionId, 'register', challenge, new Date(mfa.deps.now() + WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000))
  return options
}

/**
 * Verifies a registration against this session's challenge (taken first,
 * whatever the outcome), stores the credential as a confirmed factor and
 * completes it in this session.
 *
 * @example
 * const { id, issued, recoveryCodes } = await webauthnRegister(guard.mfa, { userId, sessionId, origin, response, label: 'YubiKey' })
 */
export async function webauthnRegister(mfa: MfaCore, input: { userId: string; sessionId: string; origin: string; response: unknown; label?: string }): Promise<{ id: string; issued: IssuedToken; recoveryCodes?: string[] }> {
  mfa.assertStrategy('webauthn')
  await requireEnrollmentRight(mfa, input.sessionId, input.userId)
  const rp = webauthnRelyingParty(input.origin)
  const expectedChallenge = await takeWebauthnChallenge(mfa.db, input.sessionId, 'register', mfa.nowDate())
  if (!expectedChallenge) throw new WebauthnRejectedError('challenge_mismatch', 'no live registration challenge')
  const existing = (await listFactors(mfa.db, input.userId, { type: 'webauthn' })).map(credentialOf)
  const credential = await verifyWebauthnRegistration({ response: input.response, expectedChallenge, expectedOrigin: rp.origin, expectedRpId: rp.rpId, existing })
  const now = mfa.nowDate()
  const factor = await insertFactor(mfa.db, { id: newId('fac'), userId: input.userId, type: 'webauthn', label: input.label?.trim() || 'Passkey', data: { ...credential }, now })
    .catch((error) => { throw /unique/i.test(String(error)) ? new MfaError('already_enrolled', 'This key is already registered.') : error })
  await confirmFactor(mfa.db, factor.id, now)
  await mfa.audit(input.userId, 'mfa.factor_enrolled', { type: 'webauthn', factorId: factor.id, label: factor.label })
  const recoveryCodes = await mfa.recoveryCodesForFirstFactor(input.userId)
  return { id: factor.id, issued: await mfa.complete(input.sessionId, 'webauthn'), recoveryCodes }
}

/**
 * Authentication options allowing only this user's keys.
 *
 * @example
 * const options = await webauthnAuthenticateOptions(guard.mfa, { userId, sessionId, origin })
 */
export async function webauthnAuthenticateOptions(mfa: MfaCore, input: { userId: string; sessionId: string; origin: string }): Promise<PublicKeyCredentialRequestOptionsJSON> {
  await factorUse(mfa, input.userId, 'webauthn') // off: only for a stranded user proving it is them
  const rp = webauthnRelyingParty(input.origin)
  const credentials = (await listFactors(mfa.db, input.userId, { type: 'webauthn' })).map(credentialOf)
  if (!credentials.length) throw new MfaError('not_enrolled', 'No passkey or security key is registered for this account; use another factor.')
  const { options, challenge } = await webauthnAuthenticationOptions({ rpId: rp.rpId, credentials })
  await saveWebauthnChallenge(mfa.db, input.sessionId, 'authenticate', challenge, new Date(mfa.deps.now() + WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000))
  return options
}

/**
 * Checks an assertion for the challenge route: the session's challenge is
 * taken first, the counter must increase and is stored by compare-and-set.
 * Refusals throw `WebauthnRejectedError` (the challenge counts them as failed attempts).
 *
 * @example
 * const verifier = webauthnVerifier(origin)
 * await completeChallenge(guard.mfa, input, verifier)
 */
export function webauthnVerifier(origin: string) {
  return async (mfa: MfaCore, userId: string, sessionId: string, response: unknown): Promise<boolean> => {
    const rp = webauthnRelyingParty(origin)
    const expectedChallenge = await takeWebauthnChallenge(mfa.db, sessionId, 'authenticate', mfa.nowDate())
    if (!expectedChallenge) throw new WebauthnRejectedError('challenge_mismatch', 'no live authentication challenge')
    const factors = await listFactors(mfa.db, userId, { type: 'webauthn' })
    const result = await verifyWebauthnAuthentication({ response, expectedChallenge, expectedOrigin: rp.origin, expectedRpId: rp.rpId, credentials: factors.map(credentialOf) })
      .catch(async (error: unknown) => {
        // A counter that did not increase may be a cloned key: worth an entry.
        if (error instanceof WebauthnRejectedError && error.code === 'counter_replayed') await mfa.audit(userId, 'mfa.webauthn_counter_replayed', { detail: error.detail })
        throw error
      })
    const factor = factors.find(f => credentialOf(f).credentialId === result.credentialId)!
    if (!(await updateWebauthnCounter(mfa.db, factor.id, credentialOf(factor).counter, result.newCounter, mfa.nowDate()))) {
      throw new WebauthnRejectedError('counter_replayed', 'a concurrent assertion already moved the counter')
    }
    return true
  }
}

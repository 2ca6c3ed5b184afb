import type { FactorId, GuardConfig } from '../config/schema'

type MfaConfig = Pick<GuardConfig['mfa'], 'strategies' | 'requirements'>

/**
 * A user stranded by switched-off strategies: they have second factors, but
 * every one of them (recovery codes aside) is switched off. They are neither
 * "not enrolled" (they have factors) nor able to complete MFA (none counts).
 */
export interface Stranded {
  /** The user's own factors that are switched off: all of them, recovery codes aside. */
  switchedOff: FactorId[]
  /**
   * What may prove it is them, for setting up a new factor only (it never
   * satisfies the MFA requirements): their switched-off factors, then
   * `recovery_code` when they have unused codes.
   */
  prove: FactorId[]
  /** The factors they may set up now: switched on, and named by the requirements when any name them. */
  enroll: FactorId[]
}

/** Factors a person sets up on their own, in the order the pages offer them; recovery codes come with one. */
const ENROLLABLE: readonly FactorId[] = ['totp', 'webauthn', 'email_code']

/**
 * Whether a user with these enrolled factors (the token's `mfa.e`) is
 * stranded under these strategy switches: at least one factor other than
 * recovery codes, and none of those switched on. A user with no factor is
 * not stranded (that is "not enrolled"). Allocation-free: the hot path asks.
 *
 * @example
 * isStranded(['email_code', 'recovery_code'], { totp: true, recovery_code: true, email_code: false, webauthn: true }) // true
 * isStranded(['email_code', 'totp'], { totp: true, recovery_code: true, email_code: false, webauthn: true })          // false
 * isStranded([], { totp: true, recovery_code: true, email_code: false, webauthn: true })                                // false
 */
export function isStranded(enrolled: readonly FactorId[], strategies: Readonly<Record<FactorId, boolean>>): boolean {
  let factors = 0
  for (let i = 0; i < enrolled.length; i++) {
    const factor = enrolled[i]!
    if (factor === 'recovery_code') continue
    if (strategies[factor]) return false
    factors++
  }
  return factors > 0
}

/**
 * What a stranded user has and may do, or `undefined` when the user is not
 * stranded (see {@link isStranded}).
 *
 * @example
 * strandedBy(['email_code', 'recovery_code'], { strategies: { totp: true, recovery_code: true, email_code: false, webauthn: true }, requirements: [{ oneOf: ['totp', 'webauthn'] }] })
 * // { switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] }
 */
export function strandedBy(enrolled: readonly FactorId[], mfa: MfaConfig): Stranded | undefined {
  if (!isStranded(enrolled, mfa.strategies)) return undefined
  const switchedOff = ENROLLABLE.filter(factor => enrolled.includes(factor))
  const prove = enrolled.includes('recovery_code') ? [...switchedOff, 'recovery_code' as const] : switchedOff
  return { switchedOff, prove, enroll: allowedToEnroll(mfa) }
}

/**
 * The enrollable factors (recovery codes aside) a config has switched on:
 * whoever has factors but none of these is stranded.
 *
 * @example
 * enrollableOn({ strategies: { totp: true, recovery_code: true, email_code: false, webauthn: true } }) // ['totp', 'webauthn']
 */
export function enrollableOn(mfa: Pick<MfaConfig, 'strategies'>): FactorId[] {
  return ENROLLABLE.filter(factor => mfa.strategies[factor])
}

/**
 * The factors a stranded user is asked to set up: those switched on, and of
 * them the ones the requirements name (when any do: setting up another would
 * not let them in).
 *
 * @example
 * allowedToEnroll({ strategies: { totp: true, recovery_code: true, email_code: true, webauthn: false }, requirements: [{ oneOf: ['totp', 'webauthn'] }] }) // ['totp']
 */
export function allowedToEnroll(mfa: MfaConfig): FactorId[] {
  const on = enrollableOn(mfa)
  const named = new Set(mfa.requirements.flatMap(r => (typeof r === 'string' ? [r] : 'oneOf' in r ? r.oneOf : r.allOfInAnyOrder)))
  const useful = named.size ? on.filter(factor => named.has(factor)) : on
  return useful.length ? useful : on
}

/** How the pages and error descriptions name each factor. */
export const FACTOR_TITLES: Readonly<Record<FactorId, string>> = {
  totp: 'Authenticator app', webauthn: 'Passkey', email_code: 'Email code', recovery_code: 'Recovery code',
}

/**
 * Names in a sentence: `a`, `a or b`, `a, b or c`.
 *
 * @example
 * list(['Authenticator app', 'Passkey']) // 'Authenticator app or Passkey'
 * list(['Email code', 'Passkey'], 'and') // 'Email code and Passkey'
 */
export function list(items: readonly string[], word: 'or' | 'and' = 'or'): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`
}

/**
 * One sentence that says why the user is stopped and what to do, for the
 * 403's `error_description` and the challenge page.
 *
 * @example
 * strandedExplanation({ switchedOff: ['email_code'], prove: ['email_code', 'recovery_code'], enroll: ['totp', 'webauthn'] })
 * // 'Email code, your only second factor, has been switched off on this site. Confirm it is you with Email code or a recovery code, then set up Authenticator app or Passkey to continue.'
 */
export function strandedExplanation(stranded: Stranded): string {
  const off = stranded.switchedOff.map(factor => FACTOR_TITLES[factor])
  const what = off.length > 1 ? `${list(off, 'and')}, your only second factors, have` : `${off[0]}, your only second factor, has`
  const prove = stranded.prove.map(factor => (factor === 'recovery_code' ? 'a recovery code' : FACTOR_TITLES[factor]))
  const enroll = stranded.enroll.length ? `set up ${list(stranded.enroll.map(factor => FACTOR_TITLES[factor]))}` : 'set up another second factor'
  return `${what} been switched off on this site. Confirm it is you with ${list(prove)}, then ${enroll} to continue.`
}

/**
 * The details a 403 `mfa_reenrollment_required` carries, in the shape the
 * step-up refusal uses: which factors can answer the challenge (to prove it
 * is you, for enrollment only) and which can be set up; plus `switched_off`.
 *
 * @example
 * strandedDetails(stranded)
 * // { mfa_requirements: { challenge: [{ type: 'email_code' }, { type: 'recovery_code' }], enroll: [{ type: 'totp' }, { type: 'webauthn' }] }, switched_off: ['email_code'] }
 */
export function strandedDetails(stranded: Stranded) {
  return {
    mfa_requirements: { challenge: stranded.prove.map(type => ({ type })), enroll: stranded.enroll.map(type => ({ type })) },
    switched_off: [...stranded.switchedOff],
  }
}

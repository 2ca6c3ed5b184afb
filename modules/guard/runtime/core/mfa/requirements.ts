import type { FactorId, MfaRequirement } from '../config/schema'

/** Completed factors: factor id → completion time in unix seconds. */
export type CompletedFactors = Partial<Record<string, number>>

export interface RequirementsCheck {
  /** Every requirement is met. */
  satisfied: boolean
  /** For the first unmet requirement: the factors that would meet it. */
  next: FactorId[]
}

/**
 * Walks MFA requirements the way SuperTokens does: every entry must hold; a
 * factor id needs that factor, `oneOf` any listed factor, `allOfInAnyOrder`
 * all of them. Factors whose strategy is switched off cannot satisfy anything.
 *
 * @example
 * checkMfaRequirements([{ oneOf: ['totp', 'webauthn'] }], { totp: 1732262400 }, { totp: true })
 * // { satisfied: true, next: [] }
 */
export function checkMfaRequirements(
  requirements: readonly MfaRequirement[],
  completed: CompletedFactors,
  enabled: Readonly<Record<FactorId, boolean>>,
): RequirementsCheck {
  const done = (factor: FactorId) => enabled[factor] && completed[factor] !== undefined
  for (const requirement of requirements) {
    const options = typeof requirement === 'string'
      ? [requirement]
      : 'oneOf' in requirement ? requirement.oneOf : requirement.allOfInAnyOrder
    const usable = options.filter(factor => enabled[factor])
    const all = typeof requirement !== 'string' && 'allOfInAnyOrder' in requirement
    const met = all ? usable.length > 0 && usable.every(done) : usable.some(done)
    if (!met) return { satisfied: false, next: usable.filter(factor => !done(factor)) }
  }
  return { satisfied: true, next: [] }
}

/**
 * The time of the most recent second-factor completion, or `undefined`.
 *
 * @example
 * lastSecondFactorAt({ totp: 100, email_code: 250 }) // 250
 */
export function lastSecondFactorAt(completed: CompletedFactors): number | undefined {
  let latest: number | undefined
  for (const at of Object.values(completed)) {
    if (typeof at === 'number' && (latest === undefined || at > latest)) latest = at
  }
  return latest
}

/**
 * Factors the user has enrolled first, keeping the order otherwise: what a
 * challenge should offer before the ones that would need setting up.
 *
 * @example
 * enrolledFirst(['totp', 'webauthn'], ['webauthn']) // ['webauthn', 'totp']
 */
export function enrolledFirst(factors: readonly FactorId[], enrolled: readonly FactorId[]): FactorId[] {
  return [...factors].sort((a, b) => Number(enrolled.includes(b)) - Number(enrolled.includes(a)))
}

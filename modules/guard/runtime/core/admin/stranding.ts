import type { FactorId, GuardConfig } from '../config/schema'
import { allowedToEnroll, FACTOR_TITLES, list } from '../mfa/stranded'
import type { StrandedCount } from '../store/factors'

/** What the console's MFA screen shows before a save: the count and one paragraph about what happens to those users. */
export interface StrandingImpact extends StrandedCount {
  /** The factors the stranded would be asked to set up. */
  enroll: FactorId[]
  /** When they are asked: `next_request` (enforce all), `mfa_routes` (enforce rules), `not_enforced` (off: nothing happens until it is on). */
  when: 'next_request' | 'mfa_routes' | 'not_enforced'
  /** "This change strands 3 users (2 whose only factor is Email code; …)." */
  headline: string
  /** "On their next request they will be asked to …" */
  consequence: string
  /** The headline and the consequence, one paragraph. */
  summary: string
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
const titles = (factors: readonly FactorId[], word: 'or' | 'and' = 'or') => list(factors.map(factor => FACTOR_TITLES[factor]), word)

/**
 * Says what a change of strategies does to the users it strands, from the
 * database's count and the draft config: how many, which factors they hold,
 * and what they will be asked to do and when.
 *
 * @example
 * describeStranding(count, draft.mfa).summary
 * // 'This change strands 1 user (1 whose only factor is Email code). On their next request they will be asked to confirm it is them with that switched-off factor (or a recovery code), then to set up Authenticator app or Passkey before they reach the app. The switched-off factor opens nothing else.'
 */
export function describeStranding(count: StrandedCount, draft: Pick<GuardConfig['mfa'], 'strategies' | 'enforce' | 'requirements'>): StrandingImpact {
  const enroll = allowedToEnroll(draft)
  const when = draft.enforce === 'all' ? 'next_request' : draft.enforce === 'rules' ? 'mfa_routes' : 'not_enforced'
  const who = count.newlyStranded || count.stranded
  if (!who) {
    const headline = 'This change strands nobody: everyone who has a second factor keeps one that is switched on.'
    return { ...count, enroll, when, headline, consequence: '', summary: headline }
  }
  const groups = count.groups
    .filter(group => (count.newlyStranded ? group.newlyStranded : group.users) > 0)
    .map(group => `${(count.newlyStranded ? group.newlyStranded : group.users)} whose only ${group.factors.length > 1 ? `factors are ${titles(group.factors, 'and')}` : `factor is ${titles(group.factors)}`}`)
  const head = count.newlyStranded
    ? `This change strands ${plural(count.newlyStranded, 'user')} (${groups.join('; ')})${count.stranded > count.newlyStranded ? `, and ${plural(count.stranded - count.newlyStranded, 'more user')} already ${count.stranded - count.newlyStranded === 1 ? 'is' : 'are'}` : ''}.`
    : `This change strands nobody new, but ${plural(count.stranded, 'user')} already ${count.stranded === 1 ? 'is' : 'are'} stranded (${groups.join('; ')}).`
  const ask = `confirm it is them with that switched-off factor (or a recovery code), then to set up ${enroll.length ? titles(enroll) : 'another factor'} before they reach the app. The switched-off factor opens nothing else.`
  const consequence = when === 'next_request'
    ? `On their next request they will be asked to ${ask}`
    : when === 'mfa_routes'
      ? `When they next open a route that needs a second factor they will be asked to ${ask}`
      : `MFA is not enforced, so nothing changes for them until it is; then they will be asked to ${ask}`
  return { ...count, enroll, when, headline: head, consequence, summary: `${head} ${consequence}` }
}

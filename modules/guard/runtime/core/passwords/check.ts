import type { Guard } from '../engine/create-guard'
import { countPasswordBreaches } from './breached'
import { passwordRefused } from './errors'
import { containedPersonalWord, personalWords } from './personal'
import { estimateStrength } from './strength'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordLength } from './lengths'

/**
 * The fewest guesses (log10) zxcvbn must estimate: 10^8, the lower edge of
 * its score 3, "safely unguessable: moderate protection from an offline
 * slow-hash scenario": far beyond what sign-in throttling lets anyone try
 * online, and costly offline against scrypt. Score 2 (10^6 up to 10^8) still
 * admits `Summer2024!`-style passwords that cracking rules reach early; score
 * 4 (10^10) would refuse many memorable passphrases of two or three words.
 * The edge itself is included (zxcvbn's score 3 starts just above it) so that
 * 8 random characters, which its brute-force model puts at exactly 10^8,
 * meet NIST's 8-character minimum.
 */
export const MIN_PASSWORD_GUESSES_LOG10 = 8

/**
 * Refuses a new password (sign-up, reset, change, invitation) that people
 * could guess, after NIST SP 800-63B §3.1.1.2: no composition rules, but a
 * length of 8 to 256 characters and a check against commonly used, expected
 * or compromised values:
 *
 * 1. shorter than 8 characters: 422 `weak_password`; longer than 256: 422 `invalid_request`;
 * 2. it contains the email address's name or the site's name (`guard.appName`): `weak_password`;
 * 3. zxcvbn-ts estimates fewer than 10^8 guesses (score below 3: common
 *    passwords, words, names, keyboard walks, dates, repeats, leetspeak, the
 *    account's own words): `weak_password`,
 *    the description built from zxcvbn's warning and suggestions;
 * 4. when `account.breachedPasswordCheck` is on, Pwned Passwords has seen it:
 *    422 `breached_password` with `breaches` (fails open when the service is
 *    down or slow; see countPasswordBreaches).
 *
 * Every refusal names `field: 'password'` and `fields.password`.
 *
 * @example
 * await assertAcceptablePassword(guard, password, { email: 'ada@example.com' })
 * // throws PasswordRefusedError weak_password: 'This is a commonly used password. Add more words that are less common.'
 */
export async function assertAcceptablePassword(guard: Guard, password: string, context: { email: string }): Promise<void> {
  const length = passwordLength(password)
  if (length < PASSWORD_MIN_LENGTH) throw passwordRefused('weak_password', `Use at least ${PASSWORD_MIN_LENGTH} characters; a few uncommon words work well.`)
  if (length > PASSWORD_MAX_LENGTH) throw passwordRefused('invalid_request', `Use at most ${PASSWORD_MAX_LENGTH} characters.`)
  const personal = containedPersonalWord(password, context.email, guard.appName)
  if (personal) {
    const whose = personal.kind === 'email' ? `your email address's name (${personal.word})` : `this site's name (${personal.word})`
    throw passwordRefused('weak_password', `This password contains ${whose}, which is among the first things someone would try. Choose one without it; a few uncommon words work well.`)
  }
  const estimate = await estimateStrength(password, personalWords(context.email, guard.appName))
  if (estimate.guessesLog10 < MIN_PASSWORD_GUESSES_LOG10 - 1e-9) {
    const why = estimate.warning || 'This password would be easy to guess.'
    const what = estimate.suggestions.length ? estimate.suggestions.join(' ') : 'Add another word or two that are less common.'
    throw passwordRefused('weak_password', `${why} ${what}`, { suggestions: estimate.suggestions })
  }
  if (!guard.live.policy.config.account.breachedPasswordCheck) return
  const breaches = await countPasswordBreaches(password, guard.breachedPasswords)
  if (breaches) {
    throw passwordRefused('breached_password', `This password has appeared in ${breaches.toLocaleString('en-US')} known data breach${breaches === 1 ? '' : 'es'}, so attackers try it early. Choose another one.`, { breaches })
  }
}

/**
 * Words an attacker who targets one account tries first: its email address,
 * the address's name (before the `@`) and its parts, the domain's first
 * label, and the site's name. zxcvbn treats them as the most likely words
 * (`userInputs`).
 *
 * @example
 * personalWords('ada.lovelace@acme.test', 'Acme')
 * // ['ada.lovelace@acme.test', 'ada.lovelace', 'ada', 'lovelace', 'acme', 'Acme']
 */
export function personalWords(email: string, appName?: string): string[] {
  const [name = '', domain = ''] = email.toLowerCase().split('@')
  const words = [email.toLowerCase(), name, ...name.split(/[._+-]+/), domain.split('.')[0] ?? '', appName?.trim() ?? '']
  return [...new Set(words.filter(word => word.length > 0))]
}

/** Shorter names are left to zxcvbn's weighing: `ada` is in `cicada`, `box` in `boxing`. */
const MIN_CONTAINED_LENGTH = 4

/**
 * Which personal word a password contains outright, comparing letters and
 * digits only, case-insensitively (so `Ada-Lovelace!` contains
 * `ada.lovelace`): the email address's name, then the site's name; each at
 * least 4 letters or digits long. `undefined` when neither is in it.
 *
 * @example
 * containedPersonalWord('AdaLovelace1815', 'ada.lovelace@acme.test', 'Acme') // { kind: 'email', word: 'ada.lovelace' }
 * containedPersonalWord('acme rocks 2024', 'bo@example.test', 'Acme') // { kind: 'app', word: 'Acme' }
 */
export function containedPersonalWord(password: string, email: string, appName?: string): { kind: 'email' | 'app'; word: string } | undefined {
  const haystack = letters(password)
  const name = email.split('@')[0] ?? ''
  if (letters(name).length >= MIN_CONTAINED_LENGTH && haystack.includes(letters(name))) return { kind: 'email', word: name }
  const app = appName?.trim() ?? ''
  if (letters(app).length >= MIN_CONTAINED_LENGTH && haystack.includes(letters(app))) return { kind: 'app', word: app }
  return undefined
}

function letters(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')
}

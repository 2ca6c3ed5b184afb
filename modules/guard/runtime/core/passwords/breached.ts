import { createHash } from 'node:crypto'

/** Have I Been Pwned's Pwned Passwords range endpoint (k-anonymity; no key needed). */
export const PWNED_PASSWORDS_RANGE_URL = 'https://api.pwnedpasswords.com/range'

/** How long a range lookup may take before the check is skipped, in milliseconds. */
export const BREACHED_PASSWORDS_TIMEOUT_MS = 2_000

/**
 * The breached-password check's client (`GuardOptions.breachedPasswords`;
 * module option `guard.breachedPasswords`). The check itself is switched on
 * in the live config: `account.breachedPasswordCheck`.
 */
export interface BreachedPasswordsOptions {
  /** A lookup is `GET {rangeUrl}/{first 5 hex digits of the SHA-1}` (env `NUXT_GUARD_BREACHED_PASSWORDS_URL`). @default PWNED_PASSWORDS_RANGE_URL */
  rangeUrl?: string
  /** The HTTP client (tests inject one). @default globalThis.fetch */
  fetch?: typeof fetch
  /** Give up (and allow the password) after this many ms (env `NUXT_GUARD_BREACHED_PASSWORDS_TIMEOUT_MS`). @default 2000 */
  timeoutMs?: number
  /** Where a skipped check is reported. @default console.warn */
  warn?: (message: string) => void
}

/**
 * How many times a password appears in known data breaches, by the Pwned
 * Passwords range API's k-anonymity model: only the first 5 hex digits of the
 * password's SHA-1 leave the server (with `Add-Padding: true`, so the
 * response's size says nothing either); the suffixes that come back are
 * compared here, and padding lines (count 0) are ignored.
 *
 * Fails open: when the service errs, answers non-2xx or takes longer than
 * `timeoutMs`, it resolves `undefined` (not checked) and warns once per
 * failure. The offline strength check has already run by then; refusing
 * every sign-up and reset while a third-party API is down would make its
 * outage ours, for a second line of defence.
 *
 * Source: https://haveibeenpwned.com/API/v3#SearchingPwnedPasswordsByRange
 *
 * @example
 * await countPasswordBreaches('P@ssw0rd') // e.g. 121_000 (seen that often)
 * await countPasswordBreaches('kangaroo violin paperclip sunset') // 0
 * await countPasswordBreaches('anything', { timeoutMs: 1 }) // undefined: not checked
 */
export async function countPasswordBreaches(password: string, options: BreachedPasswordsOptions = {}): Promise<number | undefined> {
  const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase()
  const prefix = sha1.slice(0, 5)
  const suffix = sha1.slice(5)
  const url = `${(options.rangeUrl || PWNED_PASSWORDS_RANGE_URL).replace(/\/+$/, '')}/${prefix}`
  const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : BREACHED_PASSWORDS_TIMEOUT_MS
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: { 'Add-Padding': 'true', 'User-Agent': 'nuxt-guard' },
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok) throw new Error(`the range API answered ${response.status}`)
    return breachCount(await response.text(), suffix)
  }
  catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error instanceof Error ? error.message : String(error))
    ;(options.warn ?? console.warn)(`[nuxt-guard] breached-password check skipped, password allowed: ${reason} (${url.slice(0, -5)}…)`)
    return undefined
  }
}

/**
 * The count on the line `SUFFIX:COUNT` of a range response for `suffix` (35
 * upper-case hex digits), 0 when it is absent or a padding line.
 *
 * @example
 * breachCount('0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0', '0018A45C4D1DEF81644B54AB7F969B88D65') // 3
 */
export function breachCount(body: string, suffix: string): number {
  for (const line of body.split('\n')) {
    const [candidate, count] = line.trim().split(':')
    if (candidate?.toUpperCase() === suffix) return Math.max(0, Number.parseInt(count ?? '0', 10) || 0)
  }
  return 0
}

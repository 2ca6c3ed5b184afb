const BASE = 'http://same-origin.invalid'
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * Returns `candidate` when it is a path on this site, `fallback` otherwise.
 * Refuses absolute URLs, scheme-relative `//host`, `/\host`, `javascript:`,
 * control characters and anything a browser would resolve off-origin.
 *
 * @example
 * safeRedirectPath('/billing?tab=2', '/')      // '/billing?tab=2'
 * safeRedirectPath('//evil.example', '/')      // '/'
 * safeRedirectPath('https://evil.example', '/') // '/'
 */
export function safeRedirectPath(candidate: unknown, fallback: string): string {
  if (typeof candidate !== 'string' || candidate.length > 2_048) return fallback
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.includes('\\') || CONTROL.test(candidate)) return fallback
  let url: URL
  try { url = new URL(candidate, BASE) }
  catch { return fallback }
  if (url.origin !== BASE) return fallback
  const path = `${url.pathname}${url.search}${url.hash}`
  return path.startsWith('//') ? fallback : path
}

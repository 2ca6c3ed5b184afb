import type { H3Event } from 'h3'
import { GuardError } from './errors'
import { guardSettings } from './guard-instance'
import { requestParty, tokenChecks } from './request-options'

let warned = false

/**
 * The origin the links in this request's emails point at (a reset code, an
 * address to verify, an invitation), never one an attacker chose by sending
 * another `Host`:
 * 1. `baseUrl` (module option, `NUXT_GUARD_BASE_URL`) when set;
 * 2. else this request's origin when it is one of `authorizedParties`
 *    (the first of them when it is not);
 * 3. else this request's origin in development, or when it is a loopback
 *    address (`localhost`, `127.0.0.1`, `[::1]`: a forged one can only send
 *    the reader to their own machine);
 * 4. else none: the emails carry their codes without a link, and a warning
 *    says once what to set.
 *
 * @example
 * const resetUrl = emailLink(event, '/forgot-password') // 'https://app.example.com/forgot-password' | undefined
 */
export function emailLink(event: H3Event, path: string): string | undefined {
  const origin = linkOrigin(event)
  return origin ? new URL(path, origin).href : undefined
}

/**
 * Like {@link emailLink} for an email that is nothing without its link (an
 * invitation): 500 `base_url_required`, saying what to set, when there is none.
 *
 * @example
 * const acceptUrl = requireEmailLink(event, '/accept-invitation')
 */
export function requireEmailLink(event: H3Event, path: string): string {
  const link = emailLink(event, path)
  if (!link) throw new GuardError('base_url_required')
  return link
}

function linkOrigin(event: H3Event): string | undefined {
  const base = baseOrigin(guardSettings().baseUrl)
  if (base) return base
  const parties = tokenChecks(event).authorizedParties
  const own = requestParty(event)
  if (parties?.length) return own && parties.includes(own) ? own : parties[0]
  if (own && (import.meta.dev || isLoopback(own))) return own
  if (!warned) {
    warned = true
    console.warn('[nuxt-guard] emails are sent without links (reset, verification, invitations): the server does not know its own address, and the request\'s Host header can be forged. Set NUXT_GUARD_BASE_URL (e.g. https://app.example.com) or the module\'s baseUrl.')
  }
  return undefined
}

let checkedBase: { value: string; origin: string | undefined } | undefined

/** `baseUrl` as an origin (a runtime value is read once; an unreadable one is said and ignored). */
function baseOrigin(value: string | undefined): string | undefined {
  if (!value) return undefined
  if (checkedBase?.value !== value) {
    let origin: string | undefined
    try { origin = new URL(value).origin }
    catch { console.error(`[nuxt-guard] NUXT_GUARD_BASE_URL is not a URL (${JSON.stringify(value)}); emailed links fall back as if it were unset. Use the site's origin, such as https://app.example.com.`) }
    checkedBase = { value, origin }
  }
  return checkedBase.origin
}

/** Whether an origin's host is this machine's own loopback (never someone else's site). */
function isLoopback(origin: string): boolean {
  const host = new URL(origin).hostname
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host)
}

import { getRequestHeader, getRequestIP, type H3Event } from 'h3'
import { forwardedChain, parseTrustProxy, resolveClientAddress, type TrustProxy, type TrustProxySetting } from '../../core/network/trust-proxy'
import { guardSettings } from './guard-instance'

let parsed: { setting: TrustProxySetting; trust: TrustProxy } | undefined

/**
 * The trusted-proxy setting in force (`runtimeConfig.guard.trustProxy`, env
 * `NUXT_GUARD_TRUST_PROXY`), parsed once; throws on an invalid one.
 */
export function trustedProxies(): TrustProxy {
  const setting = guardSettings().trustProxy as TrustProxySetting
  if (!parsed || parsed.setting !== setting) parsed = { setting, trust: parseTrustProxy(setting) }
  return parsed.trust
}

/**
 * The client's address, the one every throttle, session record and audit
 * entry uses: the direct peer, or behind a trusted proxy (`trustProxy`) the
 * address that proxy forwarded (`X-Forwarded-For`, else `Forwarded`).
 * Forwarded headers from an untrusted peer are ignored, so a client cannot
 * choose its address by writing them.
 *
 * @example
 * const ip = clientAddress(event) // '203.0.113.9'
 */
export function clientAddress(event: H3Event): string | undefined {
  const peer = getRequestIP(event, { xForwardedFor: false })
  const trust = trustedProxies()
  if (!trust.hops && !trust.list) return resolveClientAddress(peer, [], trust)
  return resolveClientAddress(peer, forwardedChain(getRequestHeader(event, 'x-forwarded-for'), getRequestHeader(event, 'forwarded')), trust)
}

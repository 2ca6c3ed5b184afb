import { BlockList, isIP } from 'node:net'

/**
 * Which reverse proxies in front of the server are trusted to say who the
 * client is: the `hops` nearest the server, and/or any address in `list`.
 */
export interface TrustProxy {
  hops: number
  list?: BlockList
  /** The setting as given, for messages. */
  source: string
}

/** The `trustProxy` setting: a hop count, CIDRs / addresses (array or comma-separated), or both. */
export type TrustProxySetting = number | string | readonly (string | number)[] | boolean | null | undefined

/** No proxy is trusted: forwarded headers are ignored. */
export const TRUST_NO_PROXY: TrustProxy = Object.freeze({ hops: 0, source: '' })

/**
 * Parses the `trustProxy` setting (`runtimeConfig.guard.trustProxy`, env
 * `NUXT_GUARD_TRUST_PROXY`). `1` trusts the one proxy in front of the
 * server; `"10.0.0.0/8, 192.168.0.0/16"` trusts proxies at those addresses;
 * `"1, 10.0.0.0/8"` both. Empty, `0` or `false` trusts none. Throws with the
 * offending entry otherwise (`true` too: trusting every hop would let any
 * client choose its address).
 *
 * @example
 * parseTrustProxy('1') // { hops: 1 }
 * parseTrustProxy(['10.0.0.0/8', '::1']) // { hops: 0, list }
 */
export function parseTrustProxy(setting: TrustProxySetting): TrustProxy {
  if (setting === undefined || setting === null || setting === false || setting === '' || setting === 0) return TRUST_NO_PROXY
  if (setting === true) throw new Error('trustProxy: true is not accepted (it would trust whatever address a client writes); give the number of proxies in front of the server (e.g. 1) or their addresses (e.g. "10.0.0.0/8").')
  const entries = (Array.isArray(setting) ? setting : String(setting).split(',')).map(entry => String(entry).trim()).filter(Boolean)
  let hops = 0
  let list: BlockList | undefined
  for (const entry of entries) {
    if (/^\d+$/.test(entry)) {
      hops = Math.max(hops, Number(entry))
      continue
    }
    const [address, prefix, extra] = entry.split('/')
    const family = isIP(address ?? '')
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix)
    if (!family || extra !== undefined || !/^\d+$/.test(String(bits)) || bits > (family === 6 ? 128 : 32)) {
      throw new Error(`trustProxy: "${entry}" is neither a hop count nor an IP address or CIDR range (e.g. 1, 10.0.0.0/8, fd00::/8).`)
    }
    list ??= new BlockList()
    list.addSubnet(address!, bits, family === 6 ? 'ipv6' : 'ipv4')
  }
  return { hops, list, source: entries.join(', ') }
}

/**
 * The client's address: the direct peer, unless the peer is a trusted proxy,
 * in which case the forwarded addresses are walked from the nearest one
 * (right to left) while each is a trusted proxy; the first untrusted one is
 * the client. Entries a client wrote itself (left of the trusted hops) are
 * never read. With no trusted proxy the forwarded headers are ignored.
 *
 * @example
 * resolveClientAddress('10.0.0.2', ['203.0.113.9', '198.51.100.7'], parseTrustProxy(1)) // '198.51.100.7'
 */
export function resolveClientAddress(peer: string | undefined, forwarded: readonly string[], trust: TrustProxy): string | undefined {
  let address = normalizeAddress(peer)
  if (!address) return undefined
  let hop = 0
  for (let i = forwarded.length - 1; i >= 0 && isTrusted(address, hop, trust); i--, hop++) {
    const next = normalizeAddress(forwarded[i])
    if (!next) break
    address = next
  }
  return address
}

function isTrusted(address: string, hop: number, trust: TrustProxy): boolean {
  if (hop < trust.hops) return true
  if (!trust.list) return false
  return trust.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}

/**
 * An address as written in a header or by the socket, normalized: brackets and
 * ports dropped, an IPv4-mapped IPv6 address as IPv4; `undefined` when it is
 * not an IP address (`unknown`, `_hidden`, garbage).
 */
export function normalizeAddress(value: string | undefined): string | undefined {
  if (!value) return undefined
  let address = value.trim().replace(/^"|"$/g, '')
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address)
  if (bracketed) address = bracketed[1]!
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'))
  address = address.replace(/%.*$/, '')
  if (/^::ffff:[\d.]+$/i.test(address)) address = address.slice(7)
  const family = isIP(address)
  if (!family) return undefined
  return family === 6 ? address.toLowerCase() : address
}

/**
 * The forwarded chain from `X-Forwarded-For` (all its headers, in order),
 * else the `for=` parameters of RFC 7239 `Forwarded`; leftmost first.
 *
 * @example
 * forwardedChain('203.0.113.9, 10.0.0.1', undefined) // ['203.0.113.9', '10.0.0.1']
 */
export function forwardedChain(xForwardedFor: string | readonly string[] | undefined, forwarded: string | readonly string[] | undefined): string[] {
  const join = (value: string | readonly string[] | undefined) => (Array.isArray(value) ? value.join(',') : (value as string | undefined) ?? '')
  const xff = join(xForwardedFor)
  if (xff.trim()) return xff.split(',').map(part => part.trim())
  const rfc = join(forwarded)
  if (!rfc.trim()) return []
  return rfc.split(',').map((element) => {
    const pair = element.split(';').map(p => p.trim()).find(p => p.toLowerCase().startsWith('for='))
    return pair ? pair.slice(4).trim() : ''
  })
}

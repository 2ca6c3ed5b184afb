/**
 * The size limit of the rendered custom claims, applied to real users: which
 * claim makes a rendering too large (for the 422 at the place data is saved)
 * and how a token is still minted when a rendering is too large anyway
 * (data changed by other means): the claims that overflow are left out.
 * Plain TypeScript: no h3, nuxt or node imports.
 */
import { CLAIMS_SIZE_LIMIT_BYTES, claimsByteSize } from './template'

/** The marker claim a degraded token carries: the names of the custom claims left out. */
export const OMITTED_CLAIMS_MARKER = 'omitted_claims'

/** A rendering over the limit: its size and its largest claim. */
export interface ClaimsOverflow {
  /** UTF-8 bytes of the whole rendered custom claims. */
  bytes: number
  limitBytes: number
  /** The top-level claim that takes the most room. */
  claim: string
  claimBytes: number
}

/**
 * `undefined` when the rendered claims fit the limit; else how large they are
 * and which claim takes the most room.
 *
 * @example
 * claimsOverflow({ bio: 'x'.repeat(1500) }) // { bytes: 1510, limitBytes: 1200, claim: 'bio', claimBytes: 1508 }
 */
export function claimsOverflow(rendered: Record<string, unknown>): ClaimsOverflow | undefined {
  const bytes = claimsByteSize(rendered)
  if (bytes <= CLAIMS_SIZE_LIMIT_BYTES) return undefined
  let claim = ''
  let claimBytes = -1
  for (const key of Object.keys(rendered)) {
    const size = claimsByteSize({ [key]: rendered[key] })
    if (size > claimBytes) { claim = key; claimBytes = size }
  }
  return { bytes, limitBytes: CLAIMS_SIZE_LIMIT_BYTES, claim, claimBytes }
}

/**
 * What a token can carry of rendered claims that may be over the limit: the
 * claims in template order while they fit; the rest are left out and named in
 * `omitted_claims` (when the template does not use that name itself and the
 * marker fits). Never over the limit.
 *
 * @example
 * fitClaims({ plan: 'pro', bio: 'x'.repeat(1500) }) // { claims: { plan: 'pro', omitted_claims: ['bio'] }, omitted: ['bio'] }
 */
export function fitClaims(rendered: Record<string, unknown>): { claims: Record<string, unknown>; omitted: string[] } {
  if (claimsByteSize(rendered) <= CLAIMS_SIZE_LIMIT_BYTES) return { claims: rendered, omitted: [] }
  const kept: Record<string, unknown> = {}
  const omitted: string[] = []
  for (const key of Object.keys(rendered)) {
    if (claimsByteSize({ ...kept, [key]: rendered[key] }) <= CLAIMS_SIZE_LIMIT_BYTES) kept[key] = rendered[key]
    else omitted.push(key)
  }
  if (OMITTED_CLAIMS_MARKER in rendered) return { claims: kept, omitted }
  // Make room for the marker by leaving out the last kept claims, if it fits at all.
  const keptKeys = Object.keys(kept)
  const marked = () => ({ ...kept, [OMITTED_CLAIMS_MARKER]: omitted })
  while (claimsByteSize(marked()) > CLAIMS_SIZE_LIMIT_BYTES && keptKeys.length) {
    const key = keptKeys.pop()!
    delete kept[key]
    omitted.push(key)
  }
  return claimsByteSize(marked()) <= CLAIMS_SIZE_LIMIT_BYTES ? { claims: marked(), omitted } : { claims: kept, omitted }
}

/**
 * The sentence of a 422: which claim, for which user, how large.
 *
 * @example
 * overflowMessage(overflow, 'ada@example.com (usr_1)')
 * // 'the claim "bio" makes the session-token claims 1510 bytes for ada@example.com (usr_1), over the 1200-byte limit ("bio" alone: 1508 bytes)'
 */
export function overflowMessage(overflow: ClaimsOverflow, who: string): string {
  return `the claim "${overflow.claim}" makes the session-token claims ${overflow.bytes} bytes for ${who}, over the ${overflow.limitBytes}-byte limit ("${overflow.claim}" alone: ${overflow.claimBytes} bytes)`
}

import { CLAIMS_SIZE_LIMIT_BYTES, checkClaimsTemplate, claimsByteSize, renderClaims, type TemplateIssue } from '../claims/template'
import type { ClaimsUser } from '../claims/shortcodes'

/** What the claims editor shows for one user. */
export type ClaimsPreview =
  | { ok: true; claims: Record<string, unknown>; bytes: number; limitBytes: number }
  | { ok: false; fields: TemplateIssue[] }

/**
 * Renders a claims template for one real user with the code that mints
 * session tokens (`renderClaims`, `claimsByteSize`), after the same check a
 * config save runs (`checkClaimsTemplate`). `user` comes from
 * `toClaimsUser(record, policy)`, exactly as at mint time.
 *
 * @example
 * previewClaims({ isMfa: '{{user.two_factor_enabled}}' }, toClaimsUser(user, guard.live.policy))
 * // { ok: true, claims: { isMfa: false }, bytes: 14, limitBytes: 1200 }
 */
export function previewClaims(template: unknown, user: ClaimsUser): ClaimsPreview {
  const fields = checkClaimsTemplate(template)
  if (fields.length) return { ok: false, fields }
  const claims = renderClaims(template as Record<string, unknown>, user)
  return { ok: true, claims, bytes: claimsByteSize(claims), limitBytes: CLAIMS_SIZE_LIMIT_BYTES }
}

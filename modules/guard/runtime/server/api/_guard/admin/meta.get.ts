import { SHORTCODES } from '#guard/core/claims/shortcodes'
import { CLAIMS_SIZE_LIMIT_BYTES, RESERVED_CLAIMS } from '#guard/core/claims/template'
import { FACTOR_IDS } from '#guard/core/config/schema'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'

/** GET /api/_guard/admin/meta → `{ shortcodes: [{ code, type, description }], reservedClaims, claimsSizeLimitBytes, factorIds }` for the editors. */
export default defineAdminHandler(() => {
  return { shortcodes: SHORTCODES, reservedClaims: RESERVED_CLAIMS, claimsSizeLimitBytes: CLAIMS_SIZE_LIMIT_BYTES, factorIds: FACTOR_IDS }
})

import { SHORTCODES } from '../../../../core/claims/shortcodes'
import { CLAIMS_SIZE_LIMIT_BYTES, RESERVED_CLAIMS } from '../../../../core/claims/template'
import { FACTOR_IDS } from '../../../../core/config/schema'
import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { requireAdmin } from '../../../utils/require-admin'

/** GET /api/_guard/admin/meta → `{ shortcodes: [{ code, type, description }], reservedClaims, claimsSizeLimitBytes, factorIds }` for the editors. */
export default defineGuardHandler(async (event) => {
  await requireAdmin(event)
  return { shortcodes: SHORTCODES, reservedClaims: RESERVED_CLAIMS, claimsSizeLimitBytes: CLAIMS_SIZE_LIMIT_BYTES, factorIds: FACTOR_IDS }
})

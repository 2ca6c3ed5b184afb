import { z } from 'zod'
import { describeStranding } from '#guard/core/admin/stranding'
import { validateConfig } from '#guard/core/config/validate'
import { GuardError } from '#guard/core/errors'
import { enrollableOn } from '#guard/core/mfa/stranded'
import { countStrandedUsers } from '#guard/core/store/factors'
import { defineAdminHandler } from '#guard/server/utils/define-handlers'

const body = z.object({ mfa: z.record(z.string(), z.unknown()) })

/**
 * POST /api/_guard/admin/mfa/stranded `{ mfa }` (the draft's `mfa` section) → how many users
 * these strategy switches strand compared with the live ones, and what will happen to them:
 * `{ stranded, newlyStranded, withRecoveryCodes, groups, sample, enroll, when, headline, consequence, summary }`.
 * Counted in one SQL query over the confirmed factors; 422 `invalid_config` for a bad section.
 */
export default defineAdminHandler(async (_event, { guard, body: { mfa } }) => {
  const live = guard.live.policy.config
  const draft = validateConfig({ ...live, mfa })
  if (!draft.ok) throw new GuardError('invalid_config', `The MFA settings do not validate: ${draft.issues[0]!.path}: ${draft.issues[0]!.message}`, { fields: draft.issues })
  const count = await countStrandedUsers(guard.db, { after: enrollableOn(draft.config.mfa), before: enrollableOn(live.mfa) })
  return describeStranding(count, draft.config.mfa)
}, { body })

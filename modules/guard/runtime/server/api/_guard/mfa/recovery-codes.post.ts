import { MfaError } from '#guard/core/mfa/errors'
import { enrolledFactorTypes } from '#guard/core/store/factors'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

/** POST /api/_guard/mfa/recovery-codes: a new set of 10 codes, shown once; the old set stops working. 409 `not_enrolled` without a second factor. */
export default defineAccountHandler(async (_event, { guard, userId }) => {
  if (!(await enrolledFactorTypes(guard.db, userId)).length) throw new MfaError('not_enrolled', 'Set up a second factor first; recovery codes recover it.')
  return { codes: await guard.mfa.regenerateRecoveryCodes(userId) }
}, { secondFactor: true })

import { defineGuardHandler } from '../../../utils/define-guard-handler'
import { guardError } from '../../../utils/errors'
import { mfaCall, mfaRequest } from '../../../utils/mfa-request'
import { enrolledFactorTypes } from '../../../../core/store/factors'

/** POST /api/_guard/mfa/recovery-codes: a new set of 10 codes, shown once; the old set stops working. */
export default defineGuardHandler(async (event) => {
  const { guard, userId } = await mfaRequest(event, { secondFactor: true })
  return mfaCall(event, async () => {
    if (!(await enrolledFactorTypes(guard.db, userId)).length) {
      throw guardError(409, 'not_enrolled', 'Set up a second factor first; recovery codes recover it.')
    }
    return { codes: await guard.mfa.regenerateRecoveryCodes(userId) }
  })
})
